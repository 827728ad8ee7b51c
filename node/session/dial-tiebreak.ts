import type { Host } from '../host/index.js'
import type { Connection, PeerId } from '@libp2p/interface'

/**
 * How long the peer with the larger PeerId waits for the other to dial it before dialling
 * itself. Ends early when a direct connection to that peer opens. Short: a complete seed
 * never dials its downloaders, and while a named peer connects the tracker serves this
 * download one piece at a time (the fallback waits 1 s for named peers).
 */
export const DIAL_GRACE_MS = 400

/**
 * When two peers learn of each other at once, both would dial and two TLS connections would
 * be set up where one serves (each end reuses any open direct connection for its streams).
 * Only the peer with the smaller PeerId dials at once; the other waits up to `graceMs` for
 * that connection and then dials anyway (the other side may never dial, or cannot reach us
 * behind a NAT). Resolves when a direct connection is open, the grace time is over or
 * `signal` aborts; the caller then dials, reusing the connection when there is one.
 * Only for peers learned from a renewed ticket: the peers a first ticket names were granted
 * before us (their own first tickets did not name us), so nobody is dialling us there and
 * the session dials them at once.
 */
export async function yieldDial (host: Host, remote: PeerId, signal: AbortSignal, graceMs = DIAL_GRACE_MS): Promise<void> {
  if (host.peerId.toString() < remote.toString()) return
  if (host.getConnections(remote).some(isDirect) || signal.aborted) return
  await new Promise<void>(resolve => {
    const done = (): void => {
      clearTimeout(timer)
      host.removeEventListener('connection:open', onOpen)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const onOpen = (evt: CustomEvent<Connection>): void => {
      if (evt.detail.remotePeer.equals(remote) && isDirect(evt.detail)) done()
    }
    const timer = setTimeout(done, graceMs)
    host.addEventListener('connection:open', onOpen)
    signal.addEventListener('abort', done, { once: true })
  })
}

function isDirect (connection: Connection): boolean {
  return connection.limits == null && connection.status === 'open'
}
