import { setTimeout as sleep } from 'node:timers/promises'
import { defaultLogger } from '@libp2p/logger'
import { ControlClient, ControlServer, HomeLock, Peer, controlSocketOf, homeOwner } from '../node/index.js'
import { BusyError, asHomeError } from './errors.js'
import type { HomeOwner, PeerInit } from '../node/index.js'
import type { CommandContext } from './command.js'

/** How long a command waits for a home owner that is still starting to open its control channel. */
const OWNER_START_WAIT_MS = 15_000

/** A peer home as a command uses it: through its owner's control channel. */
export interface HomeSession {
  client: ControlClient
  /** This process owns the home (no daemon ran): its own node serves the channel. */
  owner?: OwnedHome
}

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

/** The one-sentence refusal for a home owned by a process that does not take requests. */
export function busyError (home: string, owner: HomeOwner, hint: string): BusyError {
  const what = owner.role === 'tracker' ? 'a mediaswarm tracker' : owner.role === 'peer' ? 'the mediaswarm peer daemon' : `"mediaswarm ${owner.role}"`
  return new BusyError(`The home ${home} is in use by ${what} (pid ${owner.pid}); ${hint}.`)
}

async function tryConnect (home: string, signal: AbortSignal): Promise<ControlClient | undefined> {
  try {
    return await ControlClient.connect(home, signal)
  } catch (err) {
    if (signal.aborted) throw err
    return undefined
  }
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
  const server = new ControlServer({ socketPath: controlSocketOf(home), peer: peerReady, role, web, tracker, logger: defaultLogger() })
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
      if (!now && listening) await server.idle()
      if (listening) await server.stop().catch(() => {})
      await peer.stop()
      await lock.release()
      process.off('exit', releaseOnExit)
    }
  }
}

/**
 * Opens the peer home for a short command: through the owner's control channel when a daemon
 * (or another command) owns it, else by owning it for the command's duration.
 */
export async function openHome (ctx: CommandContext, home: string, role: string, init: () => Promise<PeerInit>): Promise<HomeSession> {
  const deadline = Date.now() + OWNER_START_WAIT_MS
  for (;;) {
    const client = await tryConnect(home, ctx.signal)
    if (client != null) {
      checkSameTracker(ctx, home, client)
      return { client }
    }
    const owner = await homeOwner(home)
    if (owner == null) {
      try {
        const owned = await ownHome(home, role, init)
        const self = await ControlClient.connect(home, ctx.signal).catch(() => undefined)
        if (self == null) {
          await owned.close(true)
          throw new BusyError(`Cannot open the control channel in the home ${home} (is its path too long for a socket?); use a shorter --home.`)
        }
        return { client: self, owner: owned }
      } catch (err) {
        // another command took the home between the check and the lock: talk to it
        if ((err as Error).name !== 'HomeBusyError') throw err
      }
    } else if (owner.role === 'tracker') {
      throw busyError(home, owner, 'give the peer its own --home')
    }
    if (Date.now() > deadline) {
      throw busyError(home, owner ?? { pid: 0, role: 'process', since: 0 }, 'it does not answer on its control channel; stop it or use another --home')
    }
    await sleep(200, undefined, { signal: ctx.signal })
  }
}

/**
 * A command given --tracker explicitly, on a home whose owner talks to another tracker, is
 * refused: its work would silently go to the owner's tracker.
 */
function checkSameTracker (ctx: CommandContext, home: string, client: ControlClient): void {
  const flag = ctx.options.tracker
  if (typeof flag !== 'string' || flag === '') return
  const idOf = (a: string): string | undefined => a.split('/p2p/')[1]
  const wanted = flag.trim()
  const same = client.hello.tracker.some(t => t === wanted || (idOf(t) != null && idOf(t) === idOf(wanted)))
  if (same || client.hello.tracker.length === 0) return
  const what = client.hello.role === 'peer' ? 'the peer daemon' : `"mediaswarm ${client.hello.role}"`
  throw new BusyError(`The home ${home} is used by ${what} (pid ${client.hello.pid}) with the tracker ${client.hello.tracker[0]}; leave out --tracker to use it, or give this command another --home.`)
}
