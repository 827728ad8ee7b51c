/** Owning a peer home: its lock, its node and the control channel other commands on it use. */
import { quietLogger } from '../node/quiet-logger.js'
import { ControlServer, HomeLock, Peer, controlSocketOf } from '../node/index.js'
import { asHomeError } from './errors.js'
import type { PeerInit } from '../node/index.js'

/** How long the owner stays up, once idle, for another command between two of its requests. */
const OTHERS_GRACE_MS = 300

/** The node, control channel and lock of a home this process owns. */
export interface OwnedHome {
  peer: Peer
  server: ControlServer
  lock: HomeLock
  /**
   * Waits until no other command uses this node (unless `now`), then stops it and gives
   * the home up.
   */
  close: (now: boolean) => Promise<void>
}

/**
 * Takes the home for this process: the lock, a node, and the control channel other commands
 * on this home will talk to. Throws HomeBusyError when a live process holds the lock.
 */
export async function ownHome (home: string, role: string, init: () => Promise<PeerInit>, onStarted?: (server: ControlServer) => void, web?: () => string | undefined): Promise<OwnedHome> {
  let lock: HomeLock
  try {
    lock = await HomeLock.acquire(home, role)
  } catch (err) {
    if ((err as Error).name === 'HomeBusyError') throw err
    throw asHomeError(err, home)
  }
  const releaseOnExit = (): void => { lock.releaseSync() }
  process.once('exit', releaseOnExit)
  const peerInit = init()
  const peerReady = peerInit.then(async i => Peer.create(i)).catch((err: unknown) => { throw asHomeError(err, home) })
  const tracker = peerInit.then(i => i.tracker.map(String), () => [])
  const server = new ControlServer({ socketPath: controlSocketOf(home), peer: peerReady, role, web, tracker, logger: quietLogger() })
  let listening = false
  try {
    // the channel opens first, so a command started meanwhile waits for this node instead of refusing
    await server.start()
    listening = true
    onStarted?.(server)
  } catch {
    // a socket path too long for the system: this process works alone, others are refused
  }
  let peer: Peer
  try {
    peer = await peerReady
  } catch (err) {
    if (listening) await server.stop().catch(() => {})
    await lock.release()
    process.off('exit', releaseOnExit)
    throw err
  }
  return {
    peer,
    server,
    lock,
    close: async (now) => {
      // another command may be between two of its requests: wait until quiet for a moment
      if (!now && listening) await server.settled(OTHERS_GRACE_MS)
      if (listening) await server.stop().catch(() => {})
      await peer.stop()
      await lock.release()
      process.off('exit', releaseOnExit)
    }
  }
}
