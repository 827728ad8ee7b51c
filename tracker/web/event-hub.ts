import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** SSE clients served at once; more are answered 503. */
export const DEFAULT_MAX_SSE_CLIENTS = 32
/** A client with this much unsent data skips events until it catches up. */
export const MAX_SSE_BUFFERED_BYTES = 1024 * 1024
/** A client that has not caught up for this long is disconnected. */
export const SSE_STALL_MS = 30_000
/** Pushes happen at most this often. */
export const SSE_INTERVAL_MS = 1000

interface Client {
  res: ServerResponse
  /** Which view this client gets (operator or public, and how much history). */
  view: string
  /** Since when this client has been too far behind to be sent events (0: it is not). */
  behindSince: number
}

/** Options of an {@link EventHub}. */
export interface EventHubInit {
  /** The event's data for a view; called once per view per push, shared by its clients. */
  render: (view: string) => string
  /** Subscribes to changes worth pushing at once (queue changes); returns the unsubscribe. */
  subscribe: (listener: () => void) => () => void
  /** @default DEFAULT_MAX_SSE_CLIENTS */
  maxClients?: number
  /** @default SSE_INTERVAL_MS */
  intervalMs?: number
  /** @default MAX_SSE_BUFFERED_BYTES */
  maxBufferedBytes?: number
  /** Where a failed rendering is reported (the stream goes on). */
  log?: Logger
}

/**
 * Server-Sent Events for the dashboard: every client gets `event: dashboard` every second
 * and soon after a queue change, never more than once per interval. Memory is bounded: a
 * limited number of clients, one rendering per view per push shared by its clients, and a
 * client whose unsent data exceeds the limit skips events until it drains (and is dropped
 * when it stays behind).
 */
export class EventHub {
  readonly #init: EventHubInit
  readonly #clients = new Set<Client>()
  readonly #intervalMs: number
  readonly #maxClients: number
  readonly #maxBuffered: number
  #timer?: NodeJS.Timeout
  #pending?: NodeJS.Timeout
  #lastPush = 0
  #unsubscribe?: () => void
  #skipped = 0

  constructor (init: EventHubInit) {
    this.#init = init
    this.#intervalMs = init.intervalMs ?? SSE_INTERVAL_MS
    this.#maxClients = init.maxClients ?? DEFAULT_MAX_SSE_CLIENTS
    this.#maxBuffered = init.maxBufferedBytes ?? MAX_SSE_BUFFERED_BYTES
  }

  get clients (): number {
    return this.#clients.size
  }

  /** Events not sent to clients that were too far behind, since start. */
  get skipped (): number {
    return this.#skipped
  }

  /** Takes a request as an SSE client of `view`; answers 503 when full. */
  add (req: IncomingMessage, res: ServerResponse, view: string): void {
    if (this.#clients.size >= this.#maxClients) {
      res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '10' }).end('Too many event streams\n')
      return
    }
    const client: Client = { res, view, behindSince: 0 }
    this.#clients.add(client)
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no'
    })
    // the client's first event comes at once, with the reconnection delay
    res.write(`retry: 2000\n${this.#event(view) ?? ''}`)
    const drop = (): void => { this.#clients.delete(client); this.#idle() }
    req.on('close', drop)
    res.on('close', drop)
    res.on('error', drop)
    this.#ensureRunning()
  }

  /** Ends every stream and stops pushing. */
  close (): void {
    for (const c of this.#clients) c.res.destroy()
    this.#clients.clear()
    this.#idle()
  }

  #ensureRunning (): void {
    if (this.#timer != null) return
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastPush >= this.#intervalMs * 0.9) this.#push()
    }, this.#intervalMs)
    this.#timer.unref()
    this.#unsubscribe = this.#init.subscribe(() => { this.#soon() })
  }

  #idle (): void {
    if (this.#clients.size > 0) return
    clearInterval(this.#timer)
    clearTimeout(this.#pending)
    this.#timer = undefined
    this.#pending = undefined
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** A change: push now, or as soon as the interval allows (coalescing further changes). */
  #soon (): void {
    if (this.#pending != null) return
    const wait = Math.max(0, this.#lastPush + this.#intervalMs - Date.now())
    this.#pending = setTimeout(() => {
      this.#pending = undefined
      this.#push()
    }, wait)
    this.#pending.unref()
  }

  /** The event text of a view; undefined when rendering failed (logged; nothing is sent). */
  #event (view: string): string | undefined {
    try {
      return `event: dashboard\ndata: ${this.#init.render(view)}\n\n`
    } catch (err) {
      this.#init.log?.error('cannot render the dashboard - %e', err)
      return undefined
    }
  }

  #push (): void {
    this.#lastPush = Date.now()
    const rendered = new Map<string, string>()
    for (const c of this.#clients) {
      const buffered = c.res.writableLength + (c.res.socket?.writableLength ?? 0)
      if (buffered > this.#maxBuffered) {
        this.#skipped++
        if (c.behindSince === 0) c.behindSince = this.#lastPush
        else if (this.#lastPush - c.behindSince > SSE_STALL_MS) c.res.destroy()
        continue
      }
      c.behindSince = 0
      let data = rendered.get(c.view)
      if (data == null) {
        data = this.#event(c.view) ?? ''
        rendered.set(c.view, data)
      }
      if (data !== '') c.res.write(data)
    }
  }
}
