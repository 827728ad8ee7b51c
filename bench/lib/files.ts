import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'

const WRITE_CHUNK = 4 * 1024 * 1024

/**
 * Writes `size` pseudo-random bytes to `path`, 4 MiB at a time (an AES-128-CTR keystream
 * with a random key: fast and incompressible), never holding the whole file in memory.
 */
export async function writeRandomFile (path: string, size: number): Promise<void> {
  const cipher = createCipheriv('aes-128-ctr', randomBytes(16), randomBytes(16))
  const zeros = Buffer.alloc(WRITE_CHUNK)
  const fh = await open(path, 'wx')
  try {
    let written = 0
    while (written < size) {
      const n = Math.min(WRITE_CHUNK, size - written)
      const chunk = cipher.update(n === WRITE_CHUNK ? zeros : zeros.subarray(0, n))
      let off = 0
      while (off < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off)
        off += bytesWritten
      }
      written += n
    }
  } finally {
    await fh.close()
  }
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash)
  return hash.digest('hex')
}

/** SHA-256 (hex) of a whole file and the concatenated SHA-256 digests of its `pieceSize` pieces. */
export async function hashPieces (path: string, pieceSize: number): Promise<{ sha256: string, pieces: Buffer }> {
  const whole = createHash('sha256')
  const digests: Buffer[] = []
  let piece = createHash('sha256')
  let inPiece = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    whole.update(chunk)
    let c = chunk
    while (c.length > 0) {
      const take = Math.min(c.length, pieceSize - inPiece)
      piece.update(c.subarray(0, take))
      inPiece += take
      c = c.subarray(take)
      if (inPiece === pieceSize) {
        digests.push(piece.digest())
        piece = createHash('sha256')
        inPiece = 0
      }
    }
  }
  if (inPiece > 0) digests.push(piece.digest())
  return { sha256: whole.digest('hex'), pieces: Buffer.concat(digests) }
}
