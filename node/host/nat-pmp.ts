import { createSocket } from 'node:dgram'
import { readFile } from 'node:fs/promises'
import { isIPv4 } from 'node:net'
import type { Socket } from 'node:dgram'
import type { Logger } from '@libp2p/interface'

/** The port a NAT-PMP server listens on (RFC 6886 section 3). */
export const NAT_PMP_PORT = 5351

const OP_EXTERNAL_ADDRESS = 0
const OP_MAP_UDP = 1
const OP_MAP_TCP = 2
/** Replies carry the request's opcode plus 128. */
const REPLY = 128
/** First retransmission after 250 ms, doubling (RFC 6886 3.1), this many sends in all. */
const FIRST_WAIT_MS = 250
const DEFAULT_TRIES = 4

/** Options of {@link NatPmpGateway}. */
export interface NatPmpInit {
  /** Server port (tests run a responder on another one). @default 5351 */
  port?: number
  /** Sends of one request before giving up (250 ms, 500 ms, 1 s, 2 s...). @default 4 */
  tries?: number
  /** Lifetime asked for each mapping. @default 3600000 */
  ttlMs?: number
  log: Logger
}

/** One mapping a NAT-PMP gateway granted. */
export interface NatPmpMapping {
  internalHost: string
  internalPort: number
  externalHost: string
  externalPort: number
}

interface Pending {
  op: number
  internalPort?: number
  resolve: (reply: Buffer) => void
}

/**
 * A NAT-PMP (RFC 6886) client for one gateway: external address, TCP/UDP port mappings
 * renewed at half their granted lifetime, deleted (lifetime 0) on {@link stop}.
 *
 * Written here rather than using `pmpNat` of @achingbrain/nat-port-mapper 4, whose client
 * throws from its socket's `message` handler on a reply shorter than it expects (an uncaught
 * exception: a hostile or broken router would crash the node), accepts replies from any
 * address, writes the lease in milliseconds where the protocol wants seconds, never
 * retransmits, and re-arms a refresh timer after its own unmap on stop.
 */
export class NatPmpGateway {
  /** The gateway's IPv4 address. */
  readonly host: string
  readonly #port: number
  readonly #tries: number
  readonly #ttlMs: number
  readonly #log: Logger
  readonly #pending = new Set<Pending>()
  readonly #renewals = new Map<string, ReturnType<typeof setTimeout>>()
  /** What was mapped, to delete on stop: `${protocol}:${internalPort}`. */
  readonly #mapped = new Map<string, { protocol: 'TCP' | 'UDP', internalPort: number }>()
  #socket?: Promise<Socket>
  #stopped = false

  constructor (host: string, init: NatPmpInit) {
    if (!isIPv4(host)) throw new Error(`NAT-PMP needs an IPv4 gateway, not ${host}`)
    this.host = host
    this.#port = init.port ?? NAT_PMP_PORT
    this.#tries = init.tries ?? DEFAULT_TRIES
    this.#ttlMs = init.ttlMs ?? 3_600_000
    this.#log = init.log
  }

  /** The gateway's external IPv4 address; rejects if it does not answer or refuses. */
  async externalAddress (options: { signal?: AbortSignal } = {}): Promise<string> {
    const reply = await this.#request(Buffer.from([0, OP_EXTERNAL_ADDRESS]), { op: OP_EXTERNAL_ADDRESS }, options.signal)
    if (reply.length < 12) throw new Error('short NAT-PMP external address reply')
    return `${reply[8]}.${reply[9]}.${reply[10]}.${reply[11]}`
  }

  /**
   * Maps `internalPort` (asking for the same external port) for the lifetime asked
   * (`ttlMs`), renewed at half the lifetime the gateway grants until {@link stop}.
   */
  async map (internalPort: number, internalHost: string, options: { protocol: 'TCP' | 'UDP', signal?: AbortSignal }): Promise<NatPmpMapping> {
    const seconds = Math.max(1, Math.round(this.#ttlMs / 1000))
    const { externalPort, lifetime } = await this.#mapOnce(options.protocol, internalPort, internalPort, seconds, options.signal)
    const externalHost = await this.externalAddress(options)
    const key = `${options.protocol}:${internalPort}`
    this.#mapped.set(key, { protocol: options.protocol, internalPort })
    this.#scheduleRenewal(key, options.protocol, internalPort, externalPort, seconds, lifetime)
    return { internalHost, internalPort, externalHost, externalPort }
  }

  /** Deletes every mapping made (lifetime 0) and closes the socket. */
  async stop (options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#stopped) return
    for (const timer of this.#renewals.values()) clearTimeout(timer)
    this.#renewals.clear()
    await Promise.all([...this.#mapped.values()].map(async m => {
      // RFC 6886 3.4: lifetime 0 and suggested external port 0 delete the mapping
      await this.#mapOnce(m.protocol, m.internalPort, 0, 0, options.signal)
        .catch(err => { this.#log('could not delete the NAT-PMP mapping of port %d - %e', m.internalPort, err) })
    }))
    this.#mapped.clear()
    this.#stopped = true
    for (const p of this.#pending) p.resolve(Buffer.alloc(0))
    const socket = await this.#socket?.catch(() => undefined)
    socket?.close()
  }

  #scheduleRenewal (key: string, protocol: 'TCP' | 'UDP', internalPort: number, externalPort: number, seconds: number, granted: number): void {
    const delayMs = Math.max(1, granted) * 500
    const timer = setTimeout(() => {
      this.#renewals.delete(key)
      if (this.#stopped) return
      this.#mapOnce(protocol, internalPort, externalPort, seconds)
        .then(r => {
          if (r.externalPort !== externalPort) this.#log('NAT-PMP gateway moved port %d to external %d', internalPort, r.externalPort)
          if (!this.#stopped) this.#scheduleRenewal(key, protocol, internalPort, r.externalPort, seconds, r.lifetime)
        })
        .catch(err => {
          this.#log('could not renew the NAT-PMP mapping of port %d - %e', internalPort, err)
          // try again later rather than losing the mapping for good
          if (!this.#stopped) this.#scheduleRenewal(key, protocol, internalPort, externalPort, seconds, Math.max(60, granted / 2))
        })
    }, delayMs)
    timer.unref()
    this.#renewals.set(key, timer)
  }

  async #mapOnce (protocol: 'TCP' | 'UDP', internalPort: number, externalPort: number, seconds: number, signal?: AbortSignal): Promise<{ externalPort: number, lifetime: number }> {
    const op = protocol === 'TCP' ? OP_MAP_TCP : OP_MAP_UDP
    const req = Buffer.alloc(12)
    req.writeUInt8(0, 0)
    req.writeUInt8(op, 1)
    req.writeUInt16BE(internalPort, 4)
    req.writeUInt16BE(externalPort, 6)
    req.writeUInt32BE(seconds, 8)
    const reply = await this.#request(req, { op, internalPort }, signal)
    if (reply.length < 16) throw new Error('short NAT-PMP mapping reply')
    return { externalPort: reply.readUInt16BE(10), lifetime: reply.readUInt32BE(12) }
  }

  async #open (): Promise<Socket> {
    const socket = createSocket('udp4')
    socket.on('message', (msg, rinfo) => { this.#onMessage(msg, rinfo.address, rinfo.port) })
    socket.on('error', err => { this.#log('NAT-PMP socket error - %e', err) })
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, () => { socket.off('error', reject); resolve() })
    })
    return socket
  }

  /** Sends `buf`, retransmitting, until a matching successful reply arrives. */
  async #request (buf: Buffer, match: Omit<Pending, 'resolve'>, signal?: AbortSignal): Promise<Buffer> {
    if (this.#stopped) throw new Error('NAT-PMP client stopped')
    this.#socket ??= this.#open()
    const socket = await this.#socket
    let pending: Pending | undefined
    const answered = new Promise<Buffer>(resolve => { pending = { ...match, resolve }; this.#pending.add(pending) })
    try {
      let waitMs = FIRST_WAIT_MS
      for (let i = 0; i < this.#tries; i++) {
        signal?.throwIfAborted()
        socket.send(buf, this.#port, this.host)
        let timer: ReturnType<typeof setTimeout> | undefined
        let onAbort: (() => void) | undefined
        const waited = new Promise<undefined>(resolve => {
          timer = setTimeout(() => { resolve(undefined) }, waitMs)
          onAbort = () => { resolve(undefined) }
          signal?.addEventListener('abort', onAbort, { once: true })
        })
        const reply = await Promise.race([answered, waited])
        clearTimeout(timer)
        if (onAbort != null) signal?.removeEventListener('abort', onAbort)
        if (reply != null) {
          if (reply.length === 0) throw new Error('NAT-PMP client stopped')
          const code = reply.readUInt16BE(2)
          if (code !== 0) throw new Error(`NAT-PMP gateway ${this.host} refused (result code ${code})`)
          return reply
        }
        waitMs *= 2
      }
      signal?.throwIfAborted()
      throw new Error(`NAT-PMP gateway ${this.host} did not answer`)
    } finally {
      if (pending != null) this.#pending.delete(pending)
    }
  }

  /** Hands a well-formed reply from the gateway to the request it answers; drops anything else. */
  #onMessage (msg: Buffer, address: string, port: number): void {
    if (address !== this.host || port !== this.#port) return
    if (msg.length < 8 || msg[0] !== 0 || msg[1] < REPLY) {
      this.#log('ignoring a malformed NAT-PMP packet from %s (%d bytes)', address, msg.length)
      return
    }
    const op = msg[1] - REPLY
    const success = msg.readUInt16BE(2) === 0
    for (const p of this.#pending) {
      if (p.op !== op) continue
      if (success && op === OP_EXTERNAL_ADDRESS && msg.length < 12) continue
      if (success && op !== OP_EXTERNAL_ADDRESS && (msg.length < 16 || msg.readUInt16BE(8) !== p.internalPort)) continue
      this.#pending.delete(p)
      p.resolve(msg)
      return
    }
  }
}

/**
 * The IPv4 default gateways in /proc/net/route (Linux); [] elsewhere or if none.
 */
export async function defaultGateways (): Promise<string[]> {
  let text: string
  try {
    text = await readFile('/proc/net/route', 'utf8')
  } catch {
    return []
  }
  const found: string[] = []
  for (const line of text.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/)
    if (destination !== '00000000' || gateway == null || !/^[0-9A-Fa-f]{8}$/.test(gateway)) continue
    // RTF_GATEWAY (0x2) marks a route through a gateway; the address is little-endian hex
    if ((parseInt(flags, 16) & 2) === 0) continue
    const n = parseInt(gateway, 16)
    const address = `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`
    if (!found.includes(address)) found.push(address)
  }
  return found
}
