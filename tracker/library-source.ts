import { open, stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield, HASH_LENGTH, decodeManifest, pieceLength, pieceOffset, readBytes, verifyPiece } from '../node/index.js'
import type { Catalogue, CatalogueEntry } from './catalogue/index.js'
import type { Manifest, PieceSource, ServableFile } from '../node/index.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { FileHandle } from 'node:fs/promises'

/**
 * Pieces this large or larger are hashed off the event loop. A 256 KiB piece hashes in about
 * 0.2 ms on the loop, while WebCrypto's copy and hand-off cost 50-140 % more CPU; a 16 MiB
 * piece would block the loop for over 10 ms.
 */
export const OFFLOAD_HASH_FROM = 1024 * 1024

/** What this process knows of one library file's pieces. */
interface PieceChecks {
  manifest: Manifest
  /** Pieces hashed against the manifest since this process read them first. */
  verified: Bitfield
  /** Pieces that may be served: all, minus those that failed their hash. */
  available: Bitfield
  /** Times each piece was handed out (super-seeding: the least-served goes first). */
  served: Uint32Array
}

/**
 * Serves library files straight from the media folder. A file that changed on disk since
 * it was hashed is not served (its pieces would not match the manifest peers verify
 * against); the catalogue is asked to rescan instead. A file whose ctime and inode are
 * still those the catalogue saw while hashing it (in this process or, through the hash
 * cache, an earlier one) is served without hashing again: serving then costs no SHA-256.
 * Otherwise (touched since, or an older cache) each piece is hashed on its first serve in
 * this process: one that does not match the manifest is never served (the downloader is
 * told "not here") and the catalogue rescans. The tracker super-seeds: of
 * the pieces a downloader asks for, the least-served goes out first, so downloaders get
 * different pieces from the tracker and can trade them with each other.
 */
export class LibrarySource implements PieceSource {
  readonly #catalogue: Catalogue
  readonly #log: Logger
  readonly #checks = new Map<string, Promise<PieceChecks | undefined>>()

  readonly #offloadFrom: number
  #hashedOnServe = 0

  /**
   * `offloadHashFrom`: pieces of at least this many bytes are hashed in the thread pool
   * (more CPU in all: a copy and a hand-off; but the loop is not held up), smaller ones on
   * the loop. @default OFFLOAD_HASH_FROM with a second core, else never
   */
  constructor (catalogue: Catalogue, logger: ComponentLogger = defaultLogger(), offloadHashFrom = availableParallelism() > 1 ? OFFLOAD_HASH_FROM : Infinity) {
    this.#catalogue = catalogue
    this.#offloadFrom = offloadHashFrom
    this.#log = logger.forComponent('mediaswarm:tracker:library-source')
    catalogue.addEventListener('change', (evt) => {
      for (const entry of evt.detail.removed) this.#checks.delete(entry.cidString)
    })
  }

  async lookup (cid: string): Promise<ServableFile | undefined> {
    const entry = this.#catalogue.get(cid)
    if (entry == null) return undefined
    const version = await versionOf(entry)
    if (version === 'changed') {
      this.#rescan()
      return undefined
    }
    const checks = await this.#checksOf(entry)
    if (checks == null) return undefined
    // the very bytes the catalogue hashed into the manifest: no piece needs hashing again
    const hashedAsIs = version === 'as-hashed'
    const geometry = { size: entry.size, pieceSize: entry.pieceSize }
    let handle: Promise<FileHandle> | undefined
    return {
      pieceCount: entry.pieceCount,
      pieceSize: entry.pieceSize,
      bitfield: checks.available,
      readPiece: async (index, into) => {
        if (!checks.available.has(index)) return undefined
        handle ??= open(entry.absolutePath, 'r')
        const offset = pieceOffset(geometry, index)
        const length = pieceLength(geometry, index)
        // the server's reused buffer when it fits (no 256 KiB allocation per piece)
        const data = into != null && into.byteLength >= length
          ? await readInto(await handle, into.subarray(0, length), offset)
          : await readBytes(await handle, offset, length)
        if (hashedAsIs || checks.verified.has(index)) return data
        this.#hashedOnServe++
        if (!(await this.#matches(checks.manifest, index, data))) {
          this.#log.error('piece %d of %s does not match its hash: not serving it, rescanning', index, entry.path)
          checks.available.unset(index)
          this.#rescan()
          return undefined
        }
        checks.verified.set(index)
        return data
      },
      timesServed: (index) => checks.served[index] ?? 0,
      markServed: (index) => { if (index < checks.served.length) checks.served[index]++ },
      close: async () => { await (await handle?.catch(() => undefined))?.close() }
    }
  }

  /** Pieces hashed while serving so far (a file still as the catalogue hashed it needs none). */
  get hashedOnServe (): number {
    return this.#hashedOnServe
  }

  /**
   * Whether `data` is piece `index`. A big piece is hashed in libuv's thread pool (WebCrypto)
   * so that it does not hold up the tracker's queue and other streams.
   */
  async #matches (manifest: Manifest, index: number, data: Uint8Array): Promise<boolean> {
    if (data.byteLength < this.#offloadFrom) return verifyPiece(manifest, index, data)
    if (data.byteLength !== pieceLength(manifest, index)) return false
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
    return Buffer.from(digest).equals(manifest.pieceHashes.subarray(index * HASH_LENGTH, (index + 1) * HASH_LENGTH))
  }

  #rescan (): void {
    this.#catalogue.rescan().catch((err) => { this.#log('rescan failed: %e', err) })
  }

  /** The manifest and piece checks of an entry, loaded once per cid. */
  async #checksOf (entry: CatalogueEntry): Promise<PieceChecks | undefined> {
    let checks = this.#checks.get(entry.cidString)
    if (checks == null) {
      checks = this.#load(entry)
      this.#checks.set(entry.cidString, checks)
    }
    const loaded = await checks
    if (loaded == null && this.#checks.get(entry.cidString) === checks) this.#checks.delete(entry.cidString)
    return loaded
  }

  async #load (entry: CatalogueEntry): Promise<PieceChecks | undefined> {
    try {
      const bytes = await this.#catalogue.manifest(entry.cidString)
      if (bytes == null) return undefined
      const { manifest, pieceCount } = decodeManifest(bytes, entry.cid)
      return { manifest, verified: new Bitfield(pieceCount), available: Bitfield.full(pieceCount), served: new Uint32Array(pieceCount) }
    } catch (err) {
      this.#log.error('cannot load the manifest of %s: %e', entry.path, err)
      return undefined
    }
  }
}

/** Fills `target` from the file at `position`. */
async function readInto (handle: FileHandle, target: Uint8Array, position: number): Promise<Uint8Array> {
  let read = 0
  while (read < target.byteLength) {
    const { bytesRead } = await handle.read(target, read, target.byteLength - read, position + read)
    if (bytesRead === 0) throw new Error('File is shorter than its manifest')
    read += bytesRead
  }
  return target
}

/**
 * `changed`: size or mtime differ from the catalogue's entry (or the file is gone).
 * `as-hashed`: ctime and inode are still those of the version the catalogue hashed, so
 * every piece matches the manifest (any write or replacement changes one of them, even a
 * write that puts the old mtime back). `unknown`: hash each piece on its first serve.
 */
async function versionOf (entry: CatalogueEntry): Promise<'changed' | 'as-hashed' | 'unknown'> {
  try {
    const s = await stat(entry.absolutePath)
    if (s.size !== entry.size || s.mtimeMs !== entry.mtimeMs) return 'changed'
    return entry.hashed != null && s.ctimeMs === entry.hashed.ctimeMs && s.ino === entry.hashed.ino ? 'as-hashed' : 'unknown'
  } catch {
    return 'changed'
  }
}
