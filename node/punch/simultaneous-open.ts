import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Socket } from 'node:net'

/** A TCP endpoint. */
export interface Endpoint {
  host: string
  port: number
}

/**
 * Connects from `localPort` to `remote` once: resolves with the connected socket, rejects on
 * an error, after `timeoutMs`, or when `signal` aborts (the socket is destroyed then). The
 * port is bound with SO_REUSEADDR (libuv does so for every bind), so it can be used again
 * right after a previous connection from it closed.
 */
export async function connectFrom (remote: Endpoint, localPort: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  signal.throwIfAborted()
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: remote.host, port: remote.port, localPort })
    const timer = setTimeout(() => { done(new Error(`no answer from ${remote.host}:${remote.port} within ${timeoutMs} ms`)) }, timeoutMs)
    const onAbort = (): void => { done(signal.reason as Error) }
    const done = (err?: Error): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', done)
      socket.removeListener('connect', onConnect)
      if (err == null) { resolve(socket); return }
      socket.destroy()
      reject(err)
    }
    const onConnect = (): void => { done() }
    socket.once('connect', onConnect)
    socket.once('error', done)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The TCP simultaneous open of a hole punch: both peers call this at about the same time,
 * each from its punch port towards the other's public address for its punch port. The first
 * SYN to reach the other router may be dropped (no mapping there yet); the other side's SYN
 * opens the mapping, and a retransmission or the next attempt crosses. A refusal (a RST: no
 * NAT in between, or a router that rejects instead of dropping) comes back at once: then the
 * dial is made again after a few random milliseconds, until the two SYNs cross, within the
 * same time budget (`attempts` x `timeoutMs`). Throws the last error once it is spent.
 */
export async function simultaneousOpen (remote: Endpoint, localPort: number, attempts: number, timeoutMs: number, signal: AbortSignal): Promise<Socket> {
  const deadline = performance.now() + attempts * timeoutMs
  let last: unknown
  for (let remaining = timeoutMs; remaining > 0; remaining = deadline - performance.now()) {
    try {
      return await connectFrom(remote, localPort, Math.min(timeoutMs, remaining), signal)
    } catch (err) {
      signal.throwIfAborted()
      last = err
      await sleep((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 10 + Math.random() * 30 : 50, undefined, { signal })
    }
  }
  throw last
}
