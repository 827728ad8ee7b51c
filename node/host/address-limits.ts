import type { ComponentLogger, ConnectionGater, MultiaddrConnection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The source-address key that per-address limits count: the IPv4 address, or the /64 prefix
 * of an IPv6 address (one subscriber usually holds a whole /64, so counting single IPv6
 * addresses would be no limit at all; an IPv4-mapped IPv6 address counts as its IPv4
 * address). Undefined for addresses without an IP (relays, unix sockets): not counted.
 */
export function addressKey (addr: Multiaddr | undefined): string | undefined {
  if (addr == null) return undefined
  for (const c of addr.getComponents()) {
    if (c.name === 'ip4' && c.value != null) return c.value
    if (c.name === 'ip6' && c.value != null) return ipv6Prefix64(c.value)
  }
  return undefined
}

function ipv6Prefix64 (ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped != null) return mapped[1]
  const [head, tail = ''] = ip.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return groups.slice(0, 4).map(g => (g === '' ? '0' : g).toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64'
}

/** Options of {@link addressLimitGater}. */
export interface AddressLimitsInit {
  /** Open inbound connections accepted from one address key (see {@link addressKey}). */
  maxConnectionsPerAddress: number
  logger?: ComponentLogger
}

/** A connection gater that also reports its counts (for tests and status). */
export interface AddressLimitGater extends ConnectionGater {
  /** Open inbound connections counted for an address key. */
  connectionsFrom: (key: string) => number
}

/**
 * A connection gater that refuses a new inbound connection, before any handshake, while
 * `maxConnectionsPerAddress` connections from the same IPv4 address or IPv6 /64 are open, so
 * one address cannot fill the connection table. Other checks are delegated to `base`.
 */
export function addressLimitGater (init: AddressLimitsInit, base: ConnectionGater = {}): AddressLimitGater {
  const open = new Map<string, number>()
  const log = init.logger?.forComponent('mediaswarm:address-limits')
  const release = (key: string): void => {
    const n = (open.get(key) ?? 1) - 1
    if (n <= 0) open.delete(key)
    else open.set(key, n)
  }
  return {
    ...base,
    connectionsFrom: (key) => open.get(key) ?? 0,
    denyInboundConnection: async (maConn: MultiaddrConnection) => {
      if (await base.denyInboundConnection?.(maConn) === true) return true
      const key = addressKey(maConn.remoteAddr)
      if (key == null) return false
      const n = open.get(key) ?? 0
      if (n >= init.maxConnectionsPerAddress) {
        log?.('refusing a connection from %s: %d open from that address', key, n)
        return true
      }
      open.set(key, n + 1)
      let counted = true
      const done = (): void => {
        if (!counted) return
        counted = false
        release(key)
      }
      maConn.addEventListener('close', done, { once: true })
      // it may have closed before we listened
      if (maConn.status !== 'open') done()
      return false
    }
  }
}
