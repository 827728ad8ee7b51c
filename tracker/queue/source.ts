import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The source-address key that per-address limits count: the IPv4 address, or the /64
 * prefix of an IPv6 address (one subscriber usually holds a whole /64, so counting single
 * IPv6 addresses would be no limit at all). Undefined for addresses without an IP (relays,
 * unix sockets): those are not counted.
 */
export function sourceOf (addr: Multiaddr | undefined): string | undefined {
  if (addr == null) return undefined
  for (const c of addr.getComponents()) {
    if (c.name === 'ip4' && c.value != null) return c.value
    if (c.name === 'ip6' && c.value != null) return ipv6Prefix64(c.value)
  }
  return undefined
}

/** The first four groups of an IPv6 address, expanded, as `a:b:c:d::/64`. */
function ipv6Prefix64 (ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped != null) return mapped[1]
  const [head, tail = ''] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return groups.slice(0, 4).map(g => (g === '' ? '0' : g).toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64'
}
