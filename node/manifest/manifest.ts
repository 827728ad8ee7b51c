import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { InvalidManifestError } from '../errors.js'
import { Manifest } from './pb/manifest.js'

export { Manifest }

/** Smallest piece size: 256 KiB. */
export const MIN_PIECE_SIZE = 256 * 1024
/** Piece size stops doubling here; larger files get more pieces instead. */
export const MAX_PIECE_SIZE = 16 * 1024 * 1024
/** Target maximum pieces per file (manifest <= 128 KiB). */
export const TARGET_MAX_PIECES = 4096
/** Bytes of one piece hash (SHA-256). */
export const HASH_LENGTH = 32
/** Largest manifest encoding accepted from a remote. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MANIFEST_VERSION = 1

/** A decoded, validated manifest with its content id. */
export interface ManifestInfo {
  cid: CID
  manifest: Manifest
  /** The protobuf encoding the cid was computed over. */
  bytes: Uint8Array
  pieceCount: number
}

/** The piece size for a file of `size` bytes: 256 KiB doubled until <= 4096 pieces. */
export function pieceSizeFor (size: number): number {
  let pieceSize = MIN_PIECE_SIZE
  while (pieceSize < MAX_PIECE_SIZE && Math.ceil(size / pieceSize) > TARGET_MAX_PIECES) {
    pieceSize *= 2
  }
  return pieceSize
}

/** Number of pieces of a manifest. */
export function pieceCountOf (manifest: Pick<Manifest, 'size' | 'pieceSize'>): number {
  return Math.ceil(manifest.size / manifest.pieceSize)
}

/** Byte length of piece `index` (the last one may be short). */
export function pieceLength (manifest: Pick<Manifest, 'size' | 'pieceSize'>, index: number): number {
  const start = index * manifest.pieceSize
  return Math.max(0, Math.min(manifest.pieceSize, manifest.size - start))
}

/** Byte offset of piece `index` in the file. */
export function pieceOffset (manifest: Pick<Manifest, 'pieceSize'>, index: number): number {
  return index * manifest.pieceSize
}

/** The CIDv1 (raw codec, sha2-256) of a manifest encoding. */
export function manifestCid (bytes: Uint8Array): CID {
  const digest = createHash('sha256').update(bytes).digest()
  return CID.createV1(raw.code, createDigest(sha256.code, digest))
}

/** SHA-256 of piece data (one buffer, or the chunks it arrived in). */
export function hashPiece (data: Uint8Array | Iterable<Uint8Array>): Uint8Array {
  const hash = createHash('sha256')
  if (data instanceof Uint8Array) hash.update(data)
  else for (const chunk of data) hash.update(chunk)
  return hash.digest()
}

/** True when `data` is exactly piece `index` of `manifest`. */
export function verifyPiece (manifest: Manifest, index: number, data: Uint8Array | (Iterable<Uint8Array> & { byteLength: number })): boolean {
  if (index < 0 || index >= pieceCountOf(manifest) || data.byteLength !== pieceLength(manifest, index)) {
    return false
  }
  const expected = manifest.pieceHashes.subarray(index * HASH_LENGTH, (index + 1) * HASH_LENGTH)
  return Buffer.from(hashPiece(data)).equals(expected)
}

/** Encodes a manifest and computes its cid. */
export function toManifestInfo (manifest: Manifest): ManifestInfo {
  const bytes = Manifest.encode(manifest)
  return { cid: manifestCid(bytes), manifest, bytes, pieceCount: pieceCountOf(manifest) }
}

/**
 * Decodes and validates a manifest received from anyone. When `expected` is given the
 * encoding must hash to it. Throws InvalidManifestError.
 */
export function decodeManifest (bytes: Uint8Array, expected?: CID): ManifestInfo {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw new InvalidManifestError('Manifest is too large')
  }
  const cid = manifestCid(bytes)
  if (expected != null && cid.toString() !== expected.toString()) {
    throw new InvalidManifestError(`Manifest does not match cid ${expected.toString()}`)
  }
  let manifest: Manifest
  try {
    manifest = Manifest.decode(bytes)
  } catch (err) {
    throw new InvalidManifestError('Manifest could not be decoded', { cause: err })
  }
  const { version, size, pieceSize, pieceHashes } = manifest
  if (version !== MANIFEST_VERSION) {
    throw new InvalidManifestError(`Unsupported manifest version ${version}`)
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new InvalidManifestError('Manifest size is invalid')
  }
  if (pieceSize < 1024 || pieceSize > MAX_PIECE_SIZE * 4 || (pieceSize & (pieceSize - 1)) !== 0) {
    throw new InvalidManifestError('Manifest piece size is invalid')
  }
  const pieceCount = pieceCountOf(manifest)
  if (pieceHashes.byteLength !== pieceCount * HASH_LENGTH) {
    throw new InvalidManifestError('Manifest piece hashes do not match its size')
  }
  return { cid, manifest, bytes, pieceCount }
}

/** Options for hashing a file. */
export interface HashFileOptions {
  signal?: AbortSignal
  /** Piece size to use. @default pieceSizeFor(size) */
  pieceSize?: number
}

/**
 * Hashes a file into a manifest, streaming it piece by piece (memory: one piece).
 */
export async function hashFile (path: string, options: HashFileOptions = {}): Promise<ManifestInfo> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const pieceSize = options.pieceSize ?? pieceSizeFor(size)
    const count = Math.ceil(size / pieceSize)
    const hashes = new Uint8Array(count * HASH_LENGTH)
    const buf = Buffer.allocUnsafe(Math.min(pieceSize, Math.max(size, 1)))
    for (let i = 0; i < count; i++) {
      options.signal?.throwIfAborted()
      const length = Math.min(pieceSize, size - i * pieceSize)
      let read = 0
      while (read < length) {
        const { bytesRead } = await handle.read(buf, read, length - read, i * pieceSize + read)
        if (bytesRead === 0) throw new InvalidManifestError(`File ${path} shrank while being hashed`)
        read += bytesRead
      }
      hashes.set(hashPiece(buf.subarray(0, length)), i * HASH_LENGTH)
    }
    return toManifestInfo({ version: MANIFEST_VERSION, size, pieceSize, pieceHashes: hashes })
  } finally {
    await handle.close()
  }
}

/** Parses a cid string, or returns undefined when it is not one. */
export function parseCid (text: string): CID | undefined {
  try {
    return CID.parse(text)
  } catch {
    return undefined
  }
}
