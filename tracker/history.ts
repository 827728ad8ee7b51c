/** One point of the tracker's history, as the dashboard plots it. */
export interface HistorySample {
  /** Wall-clock time of the sample (ms since the epoch). */
  t: number
  /** Requests waiting in the queue. */
  queueLength: number
  /** Bytes per second the tracker uploaded since the previous sample. */
  uploadRate: number
  /** Bytes peers reported receiving from other peers / all bytes delivered, since start (0..1). */
  offload: number
}

/** Seconds of history kept by default: one hour at one sample a second. */
export const DEFAULT_HISTORY_CAPACITY = 3600

/**
 * A fixed-size ring buffer of samples: pushing beyond `capacity` overwrites the oldest, so
 * memory stays at `capacity` samples however long the tracker runs.
 */
export class History {
  readonly capacity: number
  readonly #ring: Array<HistorySample | undefined>
  #next = 0
  #size = 0

  /** @throws RangeError unless capacity is a positive integer */
  constructor (capacity = DEFAULT_HISTORY_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`)
    this.capacity = capacity
    this.#ring = new Array(capacity)
  }

  /** Adds a sample (the oldest one goes when full). */
  push (sample: HistorySample): void {
    this.#ring[this.#next] = sample
    this.#next = (this.#next + 1) % this.capacity
    this.#size = Math.min(this.#size + 1, this.capacity)
  }

  get size (): number {
    return this.#size
  }

  /** The newest sample, if any. */
  latest (): HistorySample | undefined {
    return this.#size === 0 ? undefined : this.#ring[(this.#next - 1 + this.capacity) % this.capacity]
  }

  /** The newest `limit` samples (all by default), oldest first, newest last. */
  samples (limit = this.capacity): HistorySample[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.#size))
    const out: HistorySample[] = new Array(n)
    for (let i = 0; i < n; i++) {
      out[i] = this.#ring[(this.#next - n + i + this.capacity) % this.capacity] as HistorySample
    }
    return out
  }
}

/** Totals a {@link HistorySampler} reads each tick. */
export interface HistoryTotals {
  queueLength: number
  /** Bytes the tracker uploaded since start. */
  servedByTracker: number
  /** Bytes peers reported receiving from other peers since start. */
  servedByPeers: number
}

/** Options of a {@link HistorySampler}. */
export interface HistorySamplerInit {
  history: History
  read: () => HistoryTotals
  /** @default 1000 */
  intervalMs?: number
  /** @default Date.now */
  now?: () => number
  /** Told after each sample (the web app pushes it). */
  onSample?: (sample: HistorySample) => void
}

/** Samples the tracker's totals into a {@link History} every `intervalMs` (an unref'd timer). */
export class HistorySampler {
  readonly #init: HistorySamplerInit
  readonly #now: () => number
  #timer?: NodeJS.Timeout
  #last?: { t: number, servedByTracker: number }

  constructor (init: HistorySamplerInit) {
    this.#init = init
    this.#now = init.now ?? Date.now
  }

  start (): void {
    if (this.#timer != null) return
    this.sample()
    this.#timer = setInterval(() => { this.sample() }, this.#init.intervalMs ?? 1000)
    this.#timer.unref()
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Takes one sample now (the timer calls this; tests may too). */
  sample (): HistorySample {
    const t = this.#now()
    const totals = this.#init.read()
    const all = totals.servedByTracker + totals.servedByPeers
    const last = this.#last
    const seconds = last == null ? 0 : (t - last.t) / 1000
    const uploadRate = last == null || seconds <= 0 ? 0 : Math.max(0, totals.servedByTracker - last.servedByTracker) / seconds
    this.#last = { t, servedByTracker: totals.servedByTracker }
    const sample: HistorySample = {
      t,
      queueLength: totals.queueLength,
      uploadRate: Math.round(uploadRate),
      offload: all > 0 ? totals.servedByPeers / all : 0
    }
    this.#init.history.push(sample)
    this.#init.onSample?.(sample)
    return sample
  }
}
