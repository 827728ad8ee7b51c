import { connect } from 'node:net'
import { join } from 'node:path'
import { LineReader } from './lines.js'
import { CONTROL_SOCKET, MAX_LINE_BYTES, decodeLine, encodeLine, errorFromWire } from './protocol.js'
import type { ControlError, ControlEvent, ControlGetResult, ControlHello, ControlRequest } from './protocol.js'
import type { CatalogueItem, TrackerStatus } from '../protocols/index.js'
import type { Socket } from 'node:net'

/** The home's owner stopped (or crashed) while a request ran. */
export class OwnerGoneError extends Error {
  constructor (message = 'The process owning the home stopped before answering', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OwnerGoneError'
  }
}

type Answer<T> = { ok: T } | { error: ControlError } | { event: ControlEvent } | { done: ControlGetResult }

/** The socket of a home's control channel. */
export function controlSocketOf (home: string): string {
  return join(home, CONTROL_SOCKET)
}

async function open (path: string, signal?: AbortSignal): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ path })
    const onAbort = (): void => { socket.destroy(); reject(signal?.reason) }
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort)
      socket.removeAllListeners('error')
      resolve(socket)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort)
      // the owner stopped since it answered hello
      reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new OwnerGoneError('The process owning the home stopped; run the command again', { cause: err }) : err)
    })
  })
}

/**
 * A client of a home owner's control channel (see ControlServer). Each request opens its own
 * connection; closing it (the signal) cancels what it asked for.
 */
export class ControlClient {
  readonly socketPath: string
  readonly hello: ControlHello

  private constructor (socketPath: string, hello: ControlHello) {
    this.socketPath = socketPath
    this.hello = hello
  }

  /** Connects to the owner of `home`; rejects (ENOENT, ECONNREFUSED) when none listens. */
  static async connect (home: string, signal?: AbortSignal): Promise<ControlClient> {
    const path = controlSocketOf(home)
    const hello = await request<ControlHello>(path, { op: 'hello' }, signal)
    return new ControlClient(path, hello)
  }

  async list (query?: string, signal?: AbortSignal): Promise<CatalogueItem[]> {
    return request<CatalogueItem[]>(this.socketPath, { op: 'list', query }, signal)
  }

  async resolve (name: string, signal?: AbortSignal): Promise<CatalogueItem> {
    return request<CatalogueItem>(this.socketPath, { op: 'resolve', name }, signal)
  }

  async status (signal?: AbortSignal): Promise<TrackerStatus> {
    return request<TrackerStatus>(this.socketPath, { op: 'status' }, signal)
  }

  /** Starts the fetch of a cid in the owner; resolves with the owner's web player URL. */
  async play (cid: string, signal?: AbortSignal): Promise<{ web?: string }> {
    return request<{ web?: string }>(this.socketPath, { op: 'play', cid }, signal)
  }

  /**
   * Downloads a cid in the owner (and writes it to `path` when given), telling `onEvent` of
   * the queue position and progress. Aborting `signal` closes the connection, which cancels
   * the download in the owner.
   */
  async get (req: Omit<Extract<ControlRequest, { op: 'get' }>, 'op'>, onEvent: (e: ControlEvent) => void, signal?: AbortSignal): Promise<ControlGetResult> {
    const socket = await open(this.socketPath, signal)
    const onAbort = (): void => { socket.destroy() }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const reader = new LineReader(socket, MAX_LINE_BYTES)
      socket.write(encodeLine({ op: 'get', ...req }))
      for (;;) {
        const line = await reader.next().catch((err: unknown) => { throw signal?.aborted === true ? signal.reason : new OwnerGoneError(undefined, { cause: err }) })
        if (signal?.aborted === true) throw signal.reason
        if (line == null) throw new OwnerGoneError()
        const answer = decodeLine<Answer<never>>(line)
        if ('event' in answer) onEvent(answer.event)
        else if ('done' in answer) return answer.done
        else if ('error' in answer) throw errorFromWire(answer.error)
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
    }
  }

  /**
   * The bytes of a cid in order, as the owner verifies them. Throws OwnerGoneError when the
   * stream ends before the size the owner announced.
   */
  async * read (cid: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const socket = await open(this.socketPath, signal)
    const onAbort = (): void => { socket.destroy() }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const reader = new LineReader(socket, MAX_LINE_BYTES)
      socket.write(encodeLine({ op: 'read', cid }))
      const line = await reader.next()
      if (line == null) throw new OwnerGoneError()
      const answer = decodeLine<Answer<{ size: number }>>(line)
      if ('error' in answer) throw errorFromWire(answer.error)
      if (!('ok' in answer)) throw new OwnerGoneError('The home owner answered out of turn')
      const size = answer.ok.size
      let got = 0
      const first = reader.rest()
      if (first.length > 0) { got += first.length; yield first }
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        got += chunk.length
        yield chunk
      }
      if (signal?.aborted === true) throw signal.reason
      if (got !== size) throw new OwnerGoneError(`The stream ended after ${got} of ${size} bytes`)
    } finally {
      signal?.removeEventListener('abort', onAbort)
      socket.destroy()
    }
  }
}

/** One request, one answer line. */
async function request<T> (path: string, req: ControlRequest, signal?: AbortSignal): Promise<T> {
  const socket = await open(path, signal)
  const onAbort = (): void => { socket.destroy() }
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const reader = new LineReader(socket, MAX_LINE_BYTES)
    socket.write(encodeLine(req))
    const line = await reader.next().catch((err: unknown) => { throw signal?.aborted === true ? signal.reason : new OwnerGoneError(undefined, { cause: err }) })
    if (signal?.aborted === true) throw signal.reason
    if (line == null) throw new OwnerGoneError()
    const answer = decodeLine<Answer<T>>(line)
    if ('error' in answer) throw errorFromWire(answer.error)
    if (!('ok' in answer)) throw new OwnerGoneError('The home owner answered out of turn')
    return answer.ok
  } finally {
    signal?.removeEventListener('abort', onAbort)
    socket.destroy()
  }
}
