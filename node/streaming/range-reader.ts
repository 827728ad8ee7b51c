import { pieceOffset } from '../manifest/index.js'
import type { StoredFile } from '../store/index.js'

/** Options of {@link readRange}. */
export interface ReadRangeOptions {
  signal?: AbortSignal
  /**
   * Told which piece the reader waits for or reads next (undefined when it is done), so the
   * download can fetch the pieces just ahead of it first.
   */
  onFocus?: (piece: number | undefined) => void
  /** Largest chunk yielded. @default 256 KiB */
  chunkSize?: number
}

/**
 * The streaming primitive: yields the bytes [start, end) of a stored file in order, waiting
 * for each piece to be verified and stored, and reporting where it is so the pieces it needs
 * are fetched first. `get`, the HTTP range server and the player all sit on it.
 */
export async function * readRange (file: StoredFile, start: number, end: number, options: ReadRangeOptions = {}): AsyncGenerator<Uint8Array> {
  const { manifest } = file.info
  const chunkSize = options.chunkSize ?? 256 * 1024
  if (start < 0 || end > manifest.size || start > end) throw new RangeError(`Range ${start}-${end} is outside 0-${manifest.size}`)
  let offset = start
  try {
    while (offset < end) {
      options.signal?.throwIfAborted()
      const piece = Math.floor(offset / manifest.pieceSize)
      options.onFocus?.(piece)
      await waitForPiece(file, piece, options.signal)
      const pieceEnd = Math.min(end, pieceOffset(manifest, piece + 1))
      while (offset < pieceEnd) {
        const length = Math.min(chunkSize, pieceEnd - offset)
        yield await file.read(offset, length)
        offset += length
      }
    }
  } finally {
    options.onFocus?.(undefined)
  }
}

/** Resolves once `piece` is stored (verified); rejects when the signal aborts. */
export async function waitForPiece (file: StoredFile, piece: number, signal?: AbortSignal): Promise<void> {
  if (file.has(piece)) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      unsubscribe()
      signal?.removeEventListener('abort', onAbort)
    }
    const onAbort = (): void => { done(); reject(signal?.reason) }
    const unsubscribe = file.onPiece((index) => {
      if (index === piece) { done(); resolve() }
    })
    signal?.addEventListener('abort', onAbort, { once: true })
    // it may have landed between the check and the subscription
    if (file.has(piece)) { done(); resolve() }
  })
}
