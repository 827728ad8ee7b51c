import { StreamClosedError } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The part of a libp2p stream the writer needs; the whole `Stream` fits. */
export type WritableMessageStream = Pick<Stream, 'send' | 'writableNeedsDrain' | 'addEventListener' | 'removeEventListener' | 'status' | 'writeStatus'>

/**
 * Waits for the stream's `drain` event (never `onDrain()`, which resolves at once after
 * its first use and loses backpressure). Rejects when the stream closes first or the
 * signal aborts.
 */
export async function waitForDrain (stream: WritableMessageStream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedsDrain) return
  if (stream.status !== 'open' && stream.status !== 'closing') throw new StreamClosedError('Stream closed while waiting to send')
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: Event): void => {
      cleanup()
      reject((evt as unknown as { error?: Error }).error ?? new StreamClosedError('Stream closed while waiting to send'))
    }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

/**
 * Sends `data`, then waits for the stream to drain when its buffer is full, so a sender
 * never queues more than the muxer's window plus one chunk.
 */
export async function send (stream: WritableMessageStream, data: Uint8Array | Uint8ArrayList, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted()
  await waitForDrain(stream, signal)
  if (!stream.send(data)) {
    await waitForDrain(stream, signal)
  }
}
