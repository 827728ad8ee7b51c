/**
 * The control channel's wire format: newline-delimited JSON over a Unix socket in the home.
 * A connection carries one request (the first line) and its answer: one line, a stream of
 * event lines ending in `done` or `error`, or (for `read`) one header line and then raw bytes.
 * Uint8Array values travel as `{ "$bytes": base64 }`.
 */

/** The socket's file name in the home. */
export const CONTROL_SOCKET = 'control.sock'
/** Longest line either side accepts (a catalogue listing is the biggest answer). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024
/** Longest request line the server accepts. */
export const MAX_REQUEST_BYTES = 64 * 1024

/** What a client asks. */
export type ControlRequest =
  | { op: 'hello' }
  | { op: 'list', query?: string }
  | { op: 'resolve', name: string }
  | { op: 'status' }
  /**
   * `pieceIntervalMs`: how often the client wants the verified pieces summed into a `piece`
   * event (within PIECE_INTERVAL_RANGE_MS; default 100). A client that draws no progress asks
   * for few: each event is a line written, a wake-up and a line parsed.
   */
  | { op: 'get', cid: string, requestId?: string, path?: string, force?: boolean, pieceIntervalMs?: number }
  | { op: 'read', cid: string }
  | { op: 'play', cid: string }

/** Who answers on the socket. */
export interface ControlHello {
  pid: number
  role: string
  peerId: string
  /** The web player's base URL, when this owner runs one. */
  web?: string
  /** The owner serves pieces to other peers. */
  sharing: boolean
  /** The tracker addresses the owner was started with. */
  tracker: string[]
}

/** An error as it crosses the socket: enough for the CLI to map it to a sentence and an exit code. */
export interface ControlError {
  name: string
  message: string
  refusal?: string
  retryAfterMs?: number
  /** errno-like code of the cause (EACCES, ENOSPC...), with its path and system call. */
  code?: string
  path?: string
  syscall?: string
  /** Names and messages along the cause chain (outermost first), so the CLI can explain it. */
  causes?: Array<{ name: string, message: string }>
}

/** One progress event of a `get`, as the daemon forwards it. */
export type ControlEvent =
  | { type: 'queue:position', position: number, waiting: number, etaMs: number }
  | { type: 'queue:granted' }
  | { type: 'download:start', total: number, have: number }
  // one or more verified pieces (at most one event per 100 ms): `bytes` in all, `peerBytes` of
  // them from peers (older owners send one event per piece, with `fromPeer` and no `peerBytes`)
  | { type: 'piece', bytes: number, peerBytes?: number, fromPeer: boolean, providers: number, uploadBytes: number }
  | { type: 'provider-dropped', provider: string, reason: string }
  | { type: 'provider-banned', provider: string, reason: string }
  | { type: 'refetched', pieces: number }

/** What `get` returns once the file is written (or complete in the store when no path was given). */
export interface ControlGetResult {
  cid: string
  size: number
  path?: string
  bytesFromTracker: number
  bytesFromPeers: number
  /** Bytes received twice (endgame duplicates). */
  bytesDuplicate: number
  /** All piece bytes received, duplicates included (0 when the file was cached). */
  bytesReceived: number
  /** The file was complete in the store before this request. */
  cached: boolean
}

/** Encodes one message as a line. */
export function encodeLine (value: unknown): string {
  // `this[key]` is the value before toJSON: a Buffer would otherwise arrive as { type, data }
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return raw instanceof Uint8Array ? { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') } : v
  }) + '\n'
}

/** Decodes one line (throws on malformed JSON). */
export function decodeLine<T> (line: string): T {
  return JSON.parse(line, (_key, v: unknown) => {
    if (v != null && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string' && Object.keys(v).length === 1) {
      return new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, 'base64'))
    }
    return v
  }) as T
}

/** An Error from its wire form, keeping the fields the CLI maps (name, refusal, code). */
export function errorFromWire (e: ControlError): Error {
  const err = new Error(e.message) as Error & Record<string, unknown>
  err.name = e.name
  if (e.refusal != null) err.refusal = e.refusal
  if (e.retryAfterMs != null) err.retryAfterMs = e.retryAfterMs
  let last = err as Error & { cause?: unknown }
  for (const c of e.causes ?? []) {
    const next = new Error(c.message)
    next.name = c.name
    last.cause = next
    last = next
  }
  if (e.code != null) last.cause = Object.assign(new Error(e.code), { code: e.code, path: e.path, syscall: e.syscall })
  return err
}

/** The wire form of an error. */
export function errorToWire (err: unknown): ControlError {
  const e = err as Error & { refusal?: string, retryAfterMs?: number }
  let c = e as { code?: unknown, path?: unknown, syscall?: unknown, cause?: unknown } | undefined
  for (let i = 0; i < 5 && c != null && typeof c.code !== 'string'; i++) c = c.cause as typeof c
  const errno = typeof c?.code === 'string' ? { code: c.code, path: typeof c.path === 'string' ? c.path : undefined, syscall: typeof c.syscall === 'string' ? c.syscall : undefined } : {}
  const causes: Array<{ name: string, message: string }> = []
  let k = (e as { cause?: unknown } | undefined)?.cause as Error | undefined
  for (let i = 0; i < 5 && k instanceof Error; i++) {
    causes.push({ name: k.name, message: k.message.slice(0, 500) })
    k = (k as { cause?: unknown }).cause as Error | undefined
  }
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), refusal: e?.refusal, retryAfterMs: e?.retryAfterMs, ...errno, causes }
}

/** The `pieceIntervalMs` a client may ask for (ms); others are clamped into it. */
export const PIECE_INTERVAL_RANGE_MS = { min: 100, default: 100, max: 10_000 } as const

/** The piece-event interval for a `get` request's `pieceIntervalMs` (any value, from any client). */
export function pieceIntervalOf (asked: unknown): number {
  const { min, max } = PIECE_INTERVAL_RANGE_MS
  if (typeof asked !== 'number' || !Number.isFinite(asked)) return PIECE_INTERVAL_RANGE_MS.default
  return Math.min(max, Math.max(min, Math.round(asked)))
}
