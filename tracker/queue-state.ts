import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../node/index.js'
import type { SavedRequest } from './queue/index.js'
import type { Logger } from '@libp2p/interface'

/** File in the tracker's home holding the queue across restarts. */
export const QUEUE_STATE_FILE = 'queue.json'
/** File in the tracker's home holding which peers were granted which files (who may be named). */
export const GRANTS_FILE = 'grants.json'
/** Queue changes are written at most this often (a crash loses at most this much). */
const QUEUE_SAVE_DELAY_MS = 200
/** Grant records change with every grant and matter less: written at most every 5 s. */
const GRANTS_SAVE_DELAY_MS = 5000

/** What is saved: the queue in arrival order, and which request each live ticket belongs to. */
export interface QueueState {
  version: 1
  requests: SavedRequest[]
  tickets: Record<string, { peerId: string, requestId: string, cid: string }>
}

/**
 * A JSON document in the tracker's home, written atomically at most every `delayMs` after a
 * change (and at once by {@link save}), read back by {@link load} through a validator.
 */
export class JsonStateFile<T> {
  readonly #path: string
  readonly #log: Logger
  readonly #snapshot: () => T
  readonly #parse: (value: unknown) => T
  readonly #delayMs: number
  #timer?: NodeJS.Timeout
  #writing: Promise<void> = Promise.resolve()

  /** `parse` validates what was read, throwing on anything unusable. */
  constructor (path: string, snapshot: () => T, parse: (value: unknown) => T, log: Logger, delayMs: number) {
    this.#path = path
    this.#snapshot = snapshot
    this.#parse = parse
    this.#log = log
    this.#delayMs = delayMs
  }

  /** The saved state, or undefined when there is none or it is unreadable. */
  async load (): Promise<T | undefined> {
    try {
      return this.#parse(JSON.parse(await readFile(this.#path, 'utf8')))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.error('ignoring unreadable %s - %e', this.#path, err)
      return undefined
    }
  }

  /** Schedules a save of the current state. */
  changed (): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      void this.save()
    }, this.#delayMs)
  }

  /** Writes the current state now (atomically). */
  async save (): Promise<void> {
    if (this.#timer != null) { clearTimeout(this.#timer); this.#timer = undefined }
    const text = JSON.stringify(this.#snapshot())
    this.#writing = this.#writing.catch(() => {}).then(async () => {
      await writeFileAtomic(this.#path, text).catch(err => { this.#log.error('could not save %s - %e', this.#path, err) })
    })
    await this.#writing
  }
}

function parseQueueState (value: unknown): QueueState {
  const state = value as QueueState
  if (state?.version !== 1 || !Array.isArray(state.requests) || typeof state.tickets !== 'object') throw new Error('unknown format')
  const valid = state.requests.filter(r => typeof r.peerId === 'string' && typeof r.requestId === 'string' && typeof r.cid === 'string' && Number.isSafeInteger(r.seq) && Number.isFinite(r.arrivedAt))
  return { version: 1, requests: valid, tickets: state.tickets ?? {} }
}

/**
 * Persists the request queue so a restarted tracker (clean or killed) gives peers that come
 * back within the grace period their old place, and honours renewals of tickets it issued.
 */
export class QueueStateFile extends JsonStateFile<QueueState> {
  constructor (home: string, snapshot: () => QueueState, log: Logger) {
    super(join(home, QUEUE_STATE_FILE), snapshot, parseQueueState, log, QUEUE_SAVE_DELAY_MS)
  }
}

/** Persists the grant records of the provider index (`cid peer` strings, oldest first). */
export class GrantsFile extends JsonStateFile<string[]> {
  constructor (home: string, snapshot: () => string[], log: Logger) {
    super(join(home, GRANTS_FILE), snapshot, (value) => {
      if (!Array.isArray(value)) throw new Error('unknown format')
      return value.filter((k): k is string => typeof k === 'string')
    }, log, GRANTS_SAVE_DELAY_MS)
  }
}
