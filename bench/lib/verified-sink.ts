import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Socket } from 'node:net'

/** Piece writes in flight before the socket is paused (backpressure from the disk). */
const MAX_WRITES_IN_FLIGHT = 4

/**
 * The receiving end of a verified, stored transfer, as a downloader would do it with the
 * least work: the bytes of each piece are kept in the chunks they arrived in, hashed
 * (SHA-256) when the piece is complete, compared with the expected digest, and written at
 * their offset in `outPath` with one writev. The socket is paused while too many writes
 * are in flight. Resolves with the byte count once everything is written and the file closed.
 */
export async function verifiedSink (socket: Socket, outPath: string, pieceSize: number, expected: Buffer): Promise<number> {
  const fh: FileHandle = await open(outPath, 'w')
  let bytes = 0
  let piece: Buffer[] = []
  let pieceBytes = 0
  let index = 0
  let inFlight = 0
  let failure: Error | undefined
  const writes = new Set<Promise<void>>()

  const finishPiece = (): void => {
    const hash = createHash('sha256')
    for (const c of piece) hash.update(c)
    const digest = hash.digest()
    if (!digest.equals(expected.subarray(index * 32, index * 32 + 32))) {
      failure ??= new Error(`Piece ${index} does not match its SHA-256.`)
      socket.destroy(failure)
      return
    }
    const chunks = piece
    const offset = index * pieceSize
    piece = []
    pieceBytes = 0
    index++
    inFlight++
    if (inFlight >= MAX_WRITES_IN_FLIGHT) socket.pause()
    const w = fh.writev(chunks, offset).then((r) => {
      if (r.bytesWritten !== chunks.reduce((n, c) => n + c.length, 0)) throw new Error('Short write.')
    }).catch((e: Error) => { failure ??= e; socket.destroy(e) }).finally(() => {
      writes.delete(w)
      inFlight--
      if (inFlight < MAX_WRITES_IN_FLIGHT && socket.isPaused()) socket.resume()
    })
    writes.add(w)
  }

  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        let c = chunk
        while (c.length > 0) {
          const take = Math.min(c.length, pieceSize - pieceBytes)
          piece.push(take === c.length ? c : c.subarray(0, take))
          pieceBytes += take
          c = c.subarray(take)
          if (pieceBytes === pieceSize) finishPiece()
        }
      })
      socket.once('end', () => {
        if (pieceBytes > 0) finishPiece()
        resolve()
      })
      socket.once('error', reject)
    })
    while (writes.size > 0) await Promise.all(writes)
    if (failure !== undefined) throw failure
    if (index * 32 !== expected.length) throw new Error(`Received ${index} pieces, expected ${expected.length / 32}.`)
    return bytes
  } finally {
    await fh.close()
  }
}
