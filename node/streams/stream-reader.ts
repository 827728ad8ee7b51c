import { StreamResetError } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { FrameTooLargeError, UnexpectedEndError } from '../errors.js'
import type { Stream } from '@libp2p/interface'

/** Options of a {@link StreamReader}. */
export interface StreamReaderInit {
  /**
   * Bytes queued in the reader before the stream is paused (the muxer then stops granting
   * window, so the remote stops sending).
   * @default 1 MiB
   */
  highWaterMark?: number
}

/** The part of a libp2p stream the reader needs; the whole `Stream` fits. */
export type ReadableMessageStream = Pick<Stream, 'addEventListener' | 'removeEventListener' | 'pause' | 'resume' | 'readStatus' | 'remoteWriteStatus' | 'readBufferLength' | 'status'>

interface Waiter {
  wanted: number
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * A backpressured byte reader over a libp2p v3 stream, avoiding the traps of `for await`:
 * it listens to `message` events, queues chunks, pauses the stream while its queue is over
 * the high-water mark and resumes once the consumer drained it, and ends when the remote
 * closed its write side and every byte was delivered.
 */
export class StreamReader {
  readonly #stream: ReadableMessageStream
  readonly #queue = new Uint8ArrayList()
  readonly #highWaterMark: number
  #ended = false
  #error?: Error
  #waiter?: Waiter
  #paused = false
  #resuming = false
  readonly #onMessage: (evt: Event) => void
  readonly #onEnd: () => void
  readonly #onClose: (evt: Event) => void

  constructor (stream: ReadableMessageStream, init: StreamReaderInit = {}) {
    this.#stream = stream
    this.#highWaterMark = init.highWaterMark ?? 1024 * 1024
    this.#onMessage = (evt) => { this.#push((evt as unknown as { data: Uint8Array | Uint8ArrayList }).data) }
    this.#onEnd = () => { this.#checkEnded() }
    this.#onClose = (evt) => {
      const error = (evt as unknown as { error?: Error }).error
      if (error != null && this.#error == null) {
        this.#error = error
      }
      this.#checkEnded()
    }
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('end', this.#onEnd)
    stream.addEventListener('remoteCloseWrite', this.#onEnd)
    stream.addEventListener('close', this.#onClose)
    this.#checkEnded()
  }

  /** Bytes received and not yet read. */
  get buffered (): number {
    return this.#queue.byteLength
  }

  /** True once the remote finished sending and every byte was read. */
  get done (): boolean {
    return this.#ended && this.#queue.byteLength === 0
  }

  #push (data: Uint8Array | Uint8ArrayList): void {
    this.#queue.append(data)
    // pausing from inside resume()'s dispatch would be undone by the muxer's own resume,
    // which re-opens its window: #resume() pauses again once that returned
    if (!this.#resuming) this.#pauseIfFull()
    this.#checkEnded()
  }

  #pauseIfFull (): void {
    // a read waiting for more than the high-water mark raises it until satisfied
    const limit = Math.max(this.#highWaterMark, this.#waiter?.wanted ?? 0)
    if (this.#queue.byteLength >= limit && !this.#paused && this.#canPauseOrResume()) {
      this.#paused = true
      this.#stream.pause()
    }
  }

  #resume (): void {
    this.#paused = false
    if (!this.#canPauseOrResume()) return
    this.#resuming = true
    try {
      this.#stream.resume()
    } finally {
      this.#resuming = false
    }
    this.#pauseIfFull()
  }

  #canPauseOrResume (): boolean {
    const s = this.#stream.readStatus
    return s === 'readable' || s === 'paused'
  }

  #checkEnded (): void {
    if (this.#ended) return
    const stream = this.#stream
    if (stream.status === 'reset' || stream.status === 'aborted') {
      // 'end' may fire before the 'close' that carries the error
      this.#error ??= new StreamResetError(`Stream was ${stream.status}`)
    }
    // not `readableEnded`: bytes read ahead during protocol negotiation can be pushed back
    // after 'end' fired, and 'end' fires only once
    if ((stream.remoteWriteStatus !== 'writable' && stream.readBufferLength === 0) || this.#error != null) {
      this.#ended = true
      this.#detach()
    }
    this.#wake()
  }

  #detach (): void {
    this.#stream.removeEventListener('message', this.#onMessage)
    this.#stream.removeEventListener('end', this.#onEnd)
    this.#stream.removeEventListener('remoteCloseWrite', this.#onEnd)
    this.#stream.removeEventListener('close', this.#onClose)
  }

  #wake (): void {
    const w = this.#waiter
    if (w == null) return
    if (this.#queue.byteLength >= w.wanted || this.#ended || this.#error != null) {
      this.#waiter = undefined
      w.resolve()
    }
  }

  #maybeResume (): void {
    if (this.#paused && this.#queue.byteLength < this.#highWaterMark / 2) {
      this.#resume()
    }
  }

  /** Waits until at least `n` bytes are queued, or the stream ended (then fewer may be). */
  async #fill (n: number, signal?: AbortSignal): Promise<void> {
    while (this.#queue.byteLength < n && !this.#ended && this.#error == null) {
      signal?.throwIfAborted()
      if (this.#waiter != null) throw new Error('StreamReader supports one pending read at a time')
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          this.#waiter = undefined
          reject(signal?.reason ?? new Error('Aborted'))
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        this.#waiter = {
          wanted: n,
          resolve: () => { signal?.removeEventListener('abort', onAbort); resolve() },
          reject
        }
        // the consumer wants more than is queued: let data flow
        if (this.#paused) this.#resume()
      })
    }
    if (this.#error != null && this.#queue.byteLength < n) throw this.#error
  }

  /**
   * Reads exactly `n` bytes. Throws UnexpectedEndError when the stream ends first, the
   * stream's error when it was reset, and the signal's reason when aborted.
   */
  async readExactly (n: number, signal?: AbortSignal): Promise<Uint8Array> {
    await this.#fill(n, signal)
    if (this.#queue.byteLength < n) {
      throw new UnexpectedEndError(`Stream ended after ${this.#queue.byteLength} of ${n} bytes`)
    }
    const out = this.#queue.subarray(0, n)
    this.#queue.consume(n)
    this.#maybeResume()
    return out
  }

  /**
   * Like {@link readExactly}, but returns the received chunks as they are (no copy into one
   * buffer): for piece data that is hashed and written chunk by chunk.
   */
  async readExactlyList (n: number, signal?: AbortSignal): Promise<Uint8ArrayList> {
    await this.#fill(n, signal)
    if (this.#queue.byteLength < n) {
      throw new UnexpectedEndError(`Stream ended after ${this.#queue.byteLength} of ${n} bytes`)
    }
    const out = this.#queue.sublist(0, n)
    this.#queue.consume(n)
    this.#maybeResume()
    return out
  }

  /**
   * Reads whatever is available (at most `max` bytes), waiting for at least one byte.
   * Returns undefined at the end of the stream.
   */
  async read (max = Infinity, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    await this.#fill(1, signal)
    if (this.#queue.byteLength === 0) return undefined
    const n = Math.min(max, this.#queue.byteLength)
    const out = this.#queue.subarray(0, n)
    this.#queue.consume(n)
    this.#maybeResume()
    return out
  }

  /**
   * Parses the varint at the head of the queue without consuming it: its value and length,
   * or undefined when more bytes are needed. Throws on a prefix longer than 5 bytes.
   */
  #peekVarint (): { value: number, length: number } | undefined {
    const queue = this.#queue
    const available = Math.min(5, queue.byteLength)
    let value = 0
    for (let i = 0; i < available; i++) {
      const byte = queue.get(i)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) return { value, length: i + 1 }
    }
    if (available === 5) throw new UnexpectedEndError('Length prefix is longer than 5 bytes')
    return undefined
  }

  /**
   * The fast path of framed reads: when a whole length-prefixed frame is already queued,
   * takes it at once (no await) and returns its body; else returns undefined and consumes
   * nothing. Throws FrameTooLargeError when the prefix announces more than `maxLength`.
   */
  tryReadFrame (maxLength: number): Uint8Array | undefined {
    const prefix = this.#peekVarint()
    if (prefix == null) return undefined
    if (prefix.value > maxLength) {
      throw new FrameTooLargeError(`Message of ${prefix.value} bytes exceeds the limit of ${maxLength}`)
    }
    const end = prefix.length + prefix.value
    if (this.#queue.byteLength < end) return undefined
    const body = this.#queue.subarray(prefix.length, end)
    this.#queue.consume(end)
    this.#maybeResume()
    return body
  }

  /**
   * Reads an unsigned varint (at most 5 bytes, values < 2^32). Returns undefined when the
   * stream ended cleanly before its first byte.
   */
  async readVarint (signal?: AbortSignal): Promise<number | undefined> {
    const buffered = this.#peekVarint()
    if (buffered != null) {
      this.#queue.consume(buffered.length)
      this.#maybeResume()
      return buffered.value
    }
    let value = 0
    for (let i = 0; i < 5; i++) {
      await this.#fill(1, signal)
      if (this.#queue.byteLength === 0) {
        if (i === 0 && this.#error == null) return undefined
        throw new UnexpectedEndError('Stream ended inside a length prefix')
      }
      const byte = this.#queue.get(0)
      this.#queue.consume(1)
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) {
        this.#maybeResume()
        return value
      }
    }
    throw new UnexpectedEndError('Length prefix is longer than 5 bytes')
  }

  /** Stops listening to the stream (bytes still queued are dropped). */
  release (): void {
    this.#detach()
    this.#queue.consume(this.#queue.byteLength)
    this.#ended = true
    if (this.#paused && this.#canPauseOrResume()) this.#stream.resume()
    this.#paused = false
    this.#wake()
  }
}
