import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../node/index.js'
import type { Grant, QueueEntry, SavedRequest } from './queue/index.js'
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
  readonly #text: () => string | Promise<string>
  readonly #parse: (value: unknown) => T
  readonly #delayMs: number
  #timer?: NodeJS.Timeout
  #writing: Promise<void> = Promise.resolve()

  /** `text`: the current state as JSON; `parse` validates what was read, throwing on anything unusable. */
  constructor (path: string, text: () => string | Promise<string>, parse: (value: unknown) => T, log: Logger, delayMs: number) {
    this.#path = path
    this.#text = text
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
    const text = this.#text()
    // one write at a time, in the order the saves were asked for
    this.#writing = this.#writing.catch(() => {}).then(async () => {
      try {
        await writeFileAtomic(this.#path, await text)
      } catch (err) {
        this.#log.error('could not save %s - %e', this.#path, err)
      }
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
  /** `text`: the state as {@link QueueStateText} writes it. */
  constructor (home: string, text: () => Promise<string>, log: Logger) {
    super(join(home, QUEUE_STATE_FILE), text, parseQueueState, log, QUEUE_SAVE_DELAY_MS)
  }
}

/** What {@link QueueStateText} reads of the queue: its own records, in place (see RequestQueue.waitingView). */
export interface QueueRecords {
  grantsView: () => Iterable<Readonly<Grant>>
  waitingView: () => Array<Readonly<QueueEntry>>
}

/** Waiting requests stringified per turn of the event loop by {@link QueueStateText}. */
export const STATE_CHUNK = 256

/**
 * The queue state as JSON text, made without one long task: the state is taken at once (the
 * grants copied; a waiting request's saved fields never change while it waits, so the
 * queue's own records are kept as they are), then stringified 256 waiting requests per turn
 * of the event loop. JSON.stringify of the whole queue (2,000 waiting, five saves a second)
 * took 2-6 ms at a time on a loaded machine, and a grant that fell due meanwhile waited.
 * Grants come first, then the line, each in arrival order (restore sorts by arrival anyway).
 */
export class QueueStateText {
  readonly #defer: (fn: () => void) => void

  /** `defer` runs the next chunk (default setImmediate; tests pass their own). */
  constructor (defer: (fn: () => void) => void = (fn) => { setImmediate(fn) }) {
    this.#defer = defer
  }

  /** The state of `queue` and its `tickets`, as {@link QueueStateFile} reads it back. */
  async text (queue: QueueRecords, tickets: QueueState['tickets']): Promise<string> {
    const granted: SavedRequest[] = Array.from(queue.grantsView(), (g) => ({ peerId: g.peerId, requestId: g.requestId, cid: g.cid, arrivedAt: g.arrivedAt, seq: g.seq, grantedAt: g.grantedAt, expiresAt: g.expiresAt }))
    granted.sort((a, b) => a.seq - b.seq)
    const waiting = queue.waitingView()
    const pieces = [JSON.stringify(granted).slice(1, -1)]
    const ticketsJson = JSON.stringify(tickets)
    for (let i = 0; i < waiting.length; i += STATE_CHUNK) {
      if (i > 0) await new Promise<void>(resolve => { this.#defer(resolve) })
      const chunk: SavedRequest[] = waiting.slice(i, i + STATE_CHUNK).map((w) => ({ peerId: w.peerId, requestId: w.requestId, cid: w.cid, arrivedAt: w.arrivedAt, seq: w.seq }))
      pieces.push(JSON.stringify(chunk).slice(1, -1))
    }
    return `{"version":1,"requests":[${pieces.filter(p => p !== '').join(',')}],"tickets":${ticketsJson}}`
  }
}

/** Persists the grant records of the provider index (`cid peer` strings, oldest first). */
export class GrantsFile extends JsonStateFile<string[]> {
  constructor (home: string, snapshot: () => string[], log: Logger) {
    super(join(home, GRANTS_FILE), () => JSON.stringify(snapshot()), (value) => {
      if (!Array.isArray(value)) throw new Error('unknown format')
      return value.filter((k): k is string => typeof k === 'string')
    }, log, GRANTS_SAVE_DELAY_MS)
  }
}
