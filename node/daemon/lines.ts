import type { Socket } from 'node:net'

/** Too long a line on the control socket. */
export class LineTooLongError extends Error {
  constructor (message = 'Control message too long') {
    super(message)
    this.name = 'LineTooLongError'
  }
}

/**
 * Reads newline-delimited lines from a socket, at most `maxBytes` each. `next()` resolves
 * with the next line, or undefined at the end of the stream; `rest()` hands back the bytes
 * read past the last line (for a connection that switches to raw bytes).
 */
export class LineReader {
  readonly #socket: Socket
  readonly #max: number
  #buffer: Buffer = Buffer.alloc(0)
  #ended = false
  #error?: Error
  #wake?: () => void

  constructor (socket: Socket, maxBytes: number) {
    this.#socket = socket
    this.#max = maxBytes
    socket.on('data', this.#onData)
    socket.once('end', () => { this.#ended = true; this.#wake?.() })
    socket.once('close', () => { this.#ended = true; this.#wake?.() })
    socket.once('error', (err) => { this.#error = err; this.#wake?.() })
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    if (this.#buffer.length > this.#max && !this.#buffer.subarray(0, this.#max + 1).includes(10)) {
      this.#error = new LineTooLongError()
      this.#socket.destroy(this.#error)
    }
    this.#wake?.()
  }

  /** The next line without its newline; undefined once the stream ended. */
  async next (): Promise<string | undefined> {
    for (;;) {
      const nl = this.#buffer.indexOf(10)
      if (nl >= 0) {
        const line = this.#buffer.subarray(0, nl).toString('utf8')
        this.#buffer = this.#buffer.subarray(nl + 1)
        return line
      }
      if (this.#error != null) throw this.#error
      if (this.#ended) return undefined
      await new Promise<void>(resolve => { this.#wake = resolve })
      this.#wake = undefined
    }
  }

  /** Stops reading lines; returns what was buffered past the last line. */
  rest (): Buffer {
    this.#socket.off('data', this.#onData)
    const rest = this.#buffer
    this.#buffer = Buffer.alloc(0)
    return rest
  }
}
