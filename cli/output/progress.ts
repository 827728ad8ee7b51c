import { formatBytes, formatEta } from './format.js'
import type { Writable } from 'node:stream'

/** Rates are measured over this much recent time. */
const RATE_WINDOW_MS = 5000
/** Redraws at most this often. */
const REDRAW_MS = 100

/** One sample of a rate window. */
interface Sample { at: number, down: number, up: number }

/** What a verified piece tells the display besides its size. */
export interface PieceInfo {
  /** It came from a peer, not the tracker. */
  fromPeer?: boolean
  /** Of several pieces told at once, the bytes that came from peers (fromPeer is then ignored). */
  peerBytes?: number
  /** Providers the download is using now. */
  providers?: number
  /** Bytes this node has uploaded to others so far (a counter). */
  uploadBytes?: number
}

/**
 * A one-line progress display for a terminal: the queue position while waiting, then a bar
 * with progress, download and upload rate, providers, the share from peers, and ETA. On a
 * non-terminal it prints plain lines only when something changes meaningfully (a new queue
 * position, start), so logs stay readable. Notes are printed above the bar, never over it.
 */
export class ProgressDisplay {
  readonly #out: Writable & { isTTY?: boolean, columns?: number }
  readonly #tty: boolean
  readonly #name: string
  #total = 0
  #done = 0
  #fromPeers = 0
  #startDone = 0
  #providers = 0
  #upload = 0
  #uploadStart?: number
  #samples: Sample[] = []
  #lastDraw = 0
  #lastPosition = -1
  #lastText = ''
  #drawn = false
  #queued?: { position: number, waiting: number, etaMs: number, at: number }
  #ticker?: NodeJS.Timeout

  constructor (out: Writable & { isTTY?: boolean, columns?: number }, name: string) {
    this.#out = out
    this.#tty = out.isTTY === true
    this.#name = name
  }

  queued (position: number, waiting: number, etaMs: number, now = Date.now()): void {
    this.#queued = { position, waiting, etaMs, at: now }
    // a log gets a line per new position only; a terminal redraws, and counts the ETA down
    // every second between the tracker's updates
    if (!this.#tty && position === this.#lastPosition) return
    this.#lastPosition = position
    this.#line(this.queueText(now), true)
    if (this.#tty && this.#ticker == null) {
      this.#ticker = setInterval(() => { if (this.#queued != null) this.#line(this.queueText(), true) }, 1000)
      this.#ticker.unref()
    }
  }

  /** The queue line now: the tracker's ETA less the time since it was told. */
  queueText (now = Date.now()): string {
    const q = this.#queued
    if (q == null) return `${this.#name}: waiting in queue`
    const left = q.etaMs - (now - q.at)
    const eta = q.etaMs <= 0 ? '' : left > 1000 ? `, about ${formatEta(left)}` : ', any moment now'
    return `${this.#name}: waiting in queue, position ${q.position} of ${q.waiting}${eta}`
  }

  #stopTicker (): void {
    if (this.#ticker != null) clearInterval(this.#ticker)
    this.#ticker = undefined
    this.#queued = undefined
  }

  start (total: number, have: number, now = Date.now()): void {
    this.#stopTicker()
    this.#total = total
    this.#done = have
    this.#startDone = have
    this.#samples = [{ at: now, down: have, up: this.#upload }]
    if (!this.#tty) this.#line(`${this.#name}: downloading ${formatBytes(total)}${have > 0 ? ` (${formatBytes(have)} already here)` : ''}`, true)
    else this.#draw(now, true)
  }

  advance (bytes: number, info: PieceInfo = {}, now = Date.now()): void {
    this.#done += bytes
    if (info.peerBytes != null) this.#fromPeers += info.peerBytes
    else if (info.fromPeer === true) this.#fromPeers += bytes
    if (info.providers != null) this.#providers = info.providers
    if (info.uploadBytes != null) {
      this.#uploadStart ??= info.uploadBytes
      this.#upload = info.uploadBytes - this.#uploadStart
    }
    if (this.#tty) this.#draw(now, false)
  }

  /** Prints a line above the bar (and redraws the bar under it). */
  note (text: string): void {
    if (this.#tty && this.#drawn) {
      this.#out.write(`\r\x1b[K${text}\n${this.#lastText}`)
    } else {
      this.#out.write(text + '\n')
    }
  }

  /** Clears the bar (the caller prints the final line). */
  finish (): void {
    this.#stopTicker()
    if (this.#tty && this.#drawn) this.#out.write('\r\x1b[K')
    this.#drawn = false
  }

  /** Ends the bar's line as it stands (before an error or "Interrupted."). */
  end (): void {
    this.#stopTicker()
    if (this.#tty && this.#drawn) this.#out.write('\n')
    this.#drawn = false
  }

  /** The text of the bar now: used by the drawing and by tests. */
  text (now = Date.now()): string {
    this.#samples.push({ at: now, down: this.#done, up: this.#upload })
    while (this.#samples.length > 2 && now - this.#samples[1].at > RATE_WINDOW_MS) this.#samples.shift()
    const first = this.#samples[0]
    const seconds = Math.max(0.001, (now - first.at) / 1000)
    const down = (this.#done - first.down) / seconds
    const up = (this.#upload - first.up) / seconds
    const eta = down > 0 ? ((this.#total - this.#done) / down) * 1000 : NaN
    const frac = this.#total === 0 ? 1 : this.#done / this.#total
    const fetched = this.#done - this.#startDone
    const peers = fetched <= 0 ? 0 : Math.round(this.#fromPeers / fetched * 100)
    const info = ` ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(this.#done)}/${formatBytes(this.#total)} ↓${formatBytes(down)}/s ↑${formatBytes(up)}/s ${this.#providers} prov ${peers}% peers ETA ${formatEta(eta)}`
    const width = Math.max(10, Math.min(30, (this.#out.columns ?? 80) - info.length - this.#name.length - 4))
    const filled = Math.round(frac * width)
    return `${this.#name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${info}`
  }

  #draw (now: number, force: boolean): void {
    if (!force && now - this.#lastDraw < REDRAW_MS && this.#done < this.#total) return
    this.#lastDraw = now
    this.#line(this.text(now), false)
  }

  #line (text: string, persistent: boolean): void {
    if (this.#tty) {
      this.#lastText = text
      this.#out.write(`\r\x1b[K${text}`)
      this.#drawn = true
    } else if (persistent) {
      this.#out.write(text + '\n')
    }
  }
}
