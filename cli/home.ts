/**
 * A peer home as a short command opens it. Light on purpose: a command that finds a daemon on
 * its home talks to it over the control channel and never loads libp2p; the node itself
 * (cli/own-home.ts) is loaded only when this process must own the home.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { ControlClient } from '../node/daemon/control-client.js'
import { homeOwner } from '../node/home/lock.js'
import { BusyError } from './errors.js'
import { applyV8Flags } from './v8-flags.js'
import type { OwnedHome } from './own-home.js'
import type { HomeOwner, PeerInit } from '../node/index.js'
import type { CommandContext } from './command.js'

export type { OwnedHome } from './own-home.js'

/** How long a command waits for a home owner that is still starting to open its control channel. */
const OWNER_START_WAIT_MS = 15_000

/** A peer home as a command uses it: through its owner's control channel. */
export interface HomeSession {
  client: ControlClient
  /** This process owns the home (no daemon ran): its own node serves the channel. */
  owner?: OwnedHome
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
        const { ownHome } = await import('./own-home.js')
        applyV8Flags(role)
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
