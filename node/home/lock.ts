import { randomBytes } from 'node:crypto'
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureDir } from '../ensure-dir.js'

/** The lock file in a home. */
export const LOCK_FILE = 'lock'

/** Who owns a home, as its lock file says. */
export interface HomeOwner {
  pid: number
  /** Start time of the process (field 22 of /proc/<pid>/stat, clock ticks since boot); guards against pid reuse. */
  start?: string
  /** 'tracker', 'peer' (the daemon), or a short command such as 'get'. */
  role: string
  /** When it took the home (ms since the epoch). */
  since: number
}

/** The home is owned by another live process. */
export class HomeBusyError extends Error {
  readonly owner: HomeOwner
  readonly home: string
  constructor (home: string, owner: HomeOwner) {
    super(`The home ${home} is in use by a mediaswarm ${owner.role} (pid ${owner.pid})`)
    this.name = 'HomeBusyError'
    this.home = home
    this.owner = owner
  }
}

/** The start time of a live process, or undefined where /proc is not there. */
export function processStart (pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19]
  } catch {
    return undefined
  }
}

/** True when the process named by a lock still runs (and is the same process, not a reused pid). */
export function ownerAlive (owner: HomeOwner): boolean {
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    // EPERM: alive, owned by someone else
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (owner.start == null) return true
  const now = processStart(owner.pid)
  return now == null || now === owner.start
}

function parseOwner (text: string): HomeOwner | undefined {
  try {
    const o = JSON.parse(text) as HomeOwner
    return Number.isInteger(o.pid) && o.pid > 0 ? { pid: o.pid, start: typeof o.start === 'string' ? o.start : undefined, role: String(o.role ?? 'process'), since: Number(o.since ?? 0) } : undefined
  } catch {
    return undefined
  }
}

/** Reads a home's lock: its owner when a live process holds it, else undefined. */
export async function homeOwner (home: string): Promise<HomeOwner | undefined> {
  const text = await readFile(join(home, LOCK_FILE), 'utf8').catch(() => undefined)
  const owner = text == null ? undefined : parseOwner(text)
  return owner != null && ownerAlive(owner) ? owner : undefined
}

/**
 * One owner per home: a lock file holding the owner's pid and process start time, created
 * atomically (a hard link of a complete temporary file, so nobody reads half a lock). A lock
 * left by a dead process (kill -9, a crash, a reboot) is taken over; a live owner's lock
 * makes {@link HomeLock.acquire} throw HomeBusyError without touching anything in the home.
 */
export class HomeLock {
  readonly home: string
  readonly owner: HomeOwner
  readonly #path: string
  readonly #text: string
  #held = true

  private constructor (home: string, owner: HomeOwner, text: string) {
    this.home = home
    this.owner = owner
    this.#path = join(home, LOCK_FILE)
    this.#text = text
  }

  /** Takes the home for this process (making the folder, 0700, if needed). */
  static async acquire (home: string, role: string): Promise<HomeLock> {
    await ensureDir(home, 0o700)
    const owner: HomeOwner = { pid: process.pid, start: processStart(process.pid), role, since: Date.now() }
    const text = JSON.stringify(owner) + '\n'
    const path = join(home, LOCK_FILE)
    const temp = join(home, `.${LOCK_FILE}-${process.pid}-${randomBytes(4).toString('hex')}`)
    await writeFile(temp, text, { mode: 0o600 })
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await link(temp, path)
          return new HomeLock(home, owner, text)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        }
        const current = await readFile(path, 'utf8').catch(() => undefined)
        if (current == null) continue // released meanwhile
        const holder = parseOwner(current)
        if (holder != null && ownerAlive(holder)) throw new HomeBusyError(home, holder)
        await takeOverStale(path, current)
      }
      throw new HomeBusyError(home, parseOwner(await readFile(path, 'utf8').catch(() => '')) ?? { pid: 0, role: 'process', since: 0 })
    } finally {
      await rm(temp, { force: true })
    }
  }

  /** Still ours: the lock file holds what we wrote. */
  get held (): boolean { return this.#held }

  /** Gives the home up (only if the lock file is still ours). */
  async release (): Promise<void> {
    if (!this.#held) return
    this.#held = false
    const current = await readFile(this.#path, 'utf8').catch(() => undefined)
    if (current === this.#text) await rm(this.#path, { force: true })
  }

  /** The same, synchronously: for a process 'exit' handler. */
  releaseSync (): void {
    if (!this.#held) return
    this.#held = false
    try {
      if (readFileSync(this.#path, 'utf8') === this.#text) rmSync(this.#path, { force: true })
    } catch {}
  }
}

/**
 * Moves a dead owner's lock aside and deletes it, unless what was moved is no longer the
 * stale lock (another process took over in between): then it is put back.
 */
async function takeOverStale (path: string, stale: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await rename(path, aside)
  } catch {
    return // gone already: try again
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined)
  if (moved !== stale) await link(aside, path).catch(() => {})
  await rm(aside, { force: true })
}
