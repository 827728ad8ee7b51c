import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFileAtomic } from '../node/index.js'
import type { SavedRequest } from './queue/index.js'
import type { Logger } from '@libp2p/interface'

/** File in the tracker's home holding the queue across restarts. */
export const QUEUE_STATE_FILE = 'queue.json'
/** Changes are written at most this often (a crash loses at most this much). */
const SAVE_DELAY_MS = 50

/** What is saved: the queue in arrival order, and which request each live ticket belongs to. */
export interface QueueState {
  version: 1
  requests: SavedRequest[]
  tickets: Record<string, { peerId: string, requestId: string, cid: string }>
}

/**
 * Persists the request queue so a restarted tracker (clean or killed) gives peers that come
 * back within the grace period their old place, and honours renewals of tickets it issued.
 */
export class QueueStateFile {
  readonly #path: string
  readonly #log: Logger
  readonly #snapshot: () => QueueState
  #timer?: NodeJS.Timeout
  #writing: Promise<void> = Promise.resolve()

  constructor (home: string, snapshot: () => QueueState, log: Logger) {
    this.#path = join(home, QUEUE_STATE_FILE)
    this.#snapshot = snapshot
    this.#log = log
  }

  /** The saved state, or undefined when there is none or it is unreadable. */
  async load (): Promise<QueueState | undefined> {
    try {
      const state = JSON.parse(await readFile(this.#path, 'utf8')) as QueueState
      if (state.version !== 1 || !Array.isArray(state.requests) || typeof state.tickets !== 'object') throw new Error('unknown format')
      const valid = state.requests.filter(r => typeof r.peerId === 'string' && typeof r.requestId === 'string' && typeof r.cid === 'string' && Number.isSafeInteger(r.seq) && Number.isFinite(r.arrivedAt))
      return { version: 1, requests: valid, tickets: state.tickets ?? {} }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#log.error('ignoring unreadable queue state - %e', err)
      return undefined
    }
  }

  /** Schedules a save of the current state. */
  changed (): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      void this.save()
    }, SAVE_DELAY_MS)
  }

  /** Writes the current state now (atomically). */
  async save (): Promise<void> {
    if (this.#timer != null) { clearTimeout(this.#timer); this.#timer = undefined }
    const text = JSON.stringify(this.#snapshot())
    this.#writing = this.#writing.catch(() => {}).then(async () => {
      await writeFileAtomic(this.#path, text).catch(err => { this.#log.error('could not save the queue state - %e', err) })
    })
    await this.#writing
  }
}
