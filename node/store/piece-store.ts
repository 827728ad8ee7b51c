import { open, readFile, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeManifest, pieceLength, pieceOffset } from '../manifest/index.js'
import { ensureDir } from '../ensure-dir.js'
import { writeFileAtomic } from '../write-atomic.js'
import { Bitfield } from './bitfield.js'
import type { ManifestInfo } from '../manifest/index.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { FileHandle } from 'node:fs/promises'

/** Options of a {@link PieceStore}. */
export interface PieceStoreInit {
  /** Folder holding one sub-folder per cid. */
  dir: string
  logger: ComponentLogger
  /** How long piece completions may stay unpersisted. @default 500 */
  persistDelayMs?: number
}

/** Listener for pieces becoming available in a stored file. */
export type PieceListener = (index: number) => void

/**
 * One file in the store: its manifest, a sparse data file, and a persisted bitfield of the
 * pieces written and verified. Only verified pieces are ever written here.
 */
export class StoredFile {
  readonly info: ManifestInfo
  readonly dir: string
  readonly bitfield: Bitfield
  readonly #handle: FileHandle
  readonly #persistDelayMs: number
  readonly #listeners = new Set<PieceListener>()
  #persistTimer?: NodeJS.Timeout
  #persisting: Promise<void> = Promise.resolve()
  #closed = false

  constructor (info: ManifestInfo, dir: string, handle: FileHandle, bitfield: Bitfield, persistDelayMs: number) {
    this.info = info
    this.dir = dir
    this.#handle = handle
    this.bitfield = bitfield
    this.#persistDelayMs = persistDelayMs
  }

  get cid (): string { return this.info.cid.toString() }
  get dataPath (): string { return join(this.dir, 'data') }
  get complete (): boolean { return this.bitfield.complete }
  /** Verified bytes held. */
  get bytesHave (): number {
    let n = 0
    for (const { start, end } of this.bitfield.ranges()) {
      for (let i = start; i < end; i++) n += pieceLength(this.info.manifest, i)
    }
    return n
  }

  has (index: number): boolean { return this.bitfield.has(index) }

  /** Notified with each newly stored piece; returns an unsubscribe function. */
  onPiece (listener: PieceListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Writes a piece the caller has verified against the manifest (one buffer or its chunks). */
  async writePiece (index: number, data: Uint8Array | (Iterable<Uint8Array> & { byteLength: number })): Promise<void> {
    if (this.bitfield.has(index)) return
    const position = pieceOffset(this.info.manifest, index)
    let chunks = data instanceof Uint8Array ? [data] : [...data]
    let written = 0
    while (written < data.byteLength) {
      const { bytesWritten } = await this.#handle.writev(chunks, position + written)
      written += bytesWritten
      if (written < data.byteLength) chunks = [Buffer.concat(chunks).subarray(bytesWritten)]
    }
    if (this.bitfield.set(index)) {
      this.#schedulePersist()
      for (const l of this.#listeners) l(index)
    }
  }

  /** Reads bytes of the file; the caller makes sure the pieces they fall in are stored. */
  async read (position: number, length: number): Promise<Uint8Array> {
    return readBytes(this.#handle, position, length)
  }

  /** Reads a stored piece. */
  async readPiece (index: number): Promise<Uint8Array> {
    if (!this.bitfield.has(index)) throw new Error(`Piece ${index} is not stored`)
    return readBytes(this.#handle, pieceOffset(this.info.manifest, index), pieceLength(this.info.manifest, index))
  }

  #schedulePersist (): void {
    if (this.bitfield.complete) {
      this.flush().catch(() => {}) // retried by the next flush, which callers await
      return
    }
    this.#persistTimer ??= setTimeout(() => {
      this.#persistTimer = undefined
      this.flush().catch(() => {}) // retried by the next flush, which callers await
    }, this.#persistDelayMs)
  }

  /** Persists the bitfield now (data is written before its bit is ever set). */
  async flush (): Promise<void> {
    if (this.#persistTimer != null) {
      clearTimeout(this.#persistTimer)
      this.#persistTimer = undefined
    }
    const snapshot = new Uint8Array(this.bitfield.bytes)
    // one write at a time, in order; a failed one does not stop the next
    const write = this.#persisting.catch(() => {}).then(async () => {
      if (this.#closed) return
      await writeFileAtomic(join(this.dir, 'bitfield'), snapshot)
    })
    this.#persisting = write
    await write
  }

  /** Persists what it can and closes the file; never throws on a failed last write. */
  async close (): Promise<void> {
    try {
      await this.flush()
    } catch {
      // the bitfield on disk is older than the data: those pieces are fetched again
    }
    this.#closed = true
    this.#listeners.clear()
    await this.#handle.close()
  }
}

/** Opens a data file for reading and writing, creating it when missing. */
async function openData (path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  try {
    return await open(path, 'wx+')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return open(path, 'r+')
  }
}

/** Reads `length` bytes at `position`. */
export async function readBytes (handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length)
  let read = 0
  while (read < length) {
    const { bytesRead } = await handle.read(buf, read, length - read, position + read)
    if (bytesRead === 0) throw new Error('File is shorter than its manifest')
    read += bytesRead
  }
  return buf
}

/**
 * The peer's piece cache: `<dir>/<cid>/{manifest,data,bitfield}`. Files stay open while
 * the store runs, so serving and downloading share one handle per file.
 */
export class PieceStore {
  readonly dir: string
  readonly #log: Logger
  readonly #persistDelayMs: number
  readonly #open = new Map<string, Promise<StoredFile>>()

  constructor (init: PieceStoreInit) {
    this.dir = init.dir
    this.#log = init.logger.forComponent('mediaswarm:store')
    this.#persistDelayMs = init.persistDelayMs ?? 500
  }

  /** Opens (creating when new) the stored file for a manifest. */
  async open (info: ManifestInfo): Promise<StoredFile> {
    const cid = info.cid.toString()
    let file = this.#open.get(cid)
    if (file != null && !(await file.then(async f => stat(f.dataPath).then(() => true, () => false), () => false))) {
      // deleted behind our back (the user cleaned the cache): start it afresh
      this.#log('%s vanished from the store; opening it again', cid)
      await (await file.catch(() => undefined))?.close().catch(() => {})
      this.#open.delete(cid)
      file = undefined
    }
    if (file == null) {
      file = this.#openFile(info)
      this.#open.set(cid, file)
      file.catch(() => this.#open.delete(cid))
    }
    return file
  }

  async #openFile (info: ManifestInfo): Promise<StoredFile> {
    const dir = join(this.dir, info.cid.toString())
    await ensureDir(dir)
    // written once: a read-only or full home can still serve what it holds
    const manifestPath = join(dir, 'manifest')
    const stored = await readFile(manifestPath).catch(() => undefined)
    if (stored == null || !Buffer.from(info.bytes).equals(stored)) await writeFileAtomic(manifestPath, info.bytes)
    let bits: Uint8Array | undefined
    try {
      bits = await readFile(join(dir, 'bitfield'))
    } catch {}
    // never truncate an existing data file: another process may share this home and be
    // writing verified pieces into it
    const handle = await openData(join(dir, 'data'))
    const { size } = await handle.stat()
    if (size < info.manifest.size) {
      if (size > 0 && bits != null) bits = undefined // data lost: start over
      await handle.truncate(info.manifest.size)
    }
    const bitfield = new Bitfield(info.pieceCount, bits)
    this.#log('opened %s with %d/%d pieces', info.cid, bitfield.count, info.pieceCount)
    return new StoredFile(info, dir, handle, bitfield, this.#persistDelayMs)
  }

  /** An already opened file. */
  async get (cid: string): Promise<StoredFile | undefined> {
    return this.#open.get(cid)
  }

  /** Opens every file found on disk (for resharing at start-up). */
  async openAll (): Promise<StoredFile[]> {
    let names: string[] = []
    try {
      names = await readdir(this.dir)
    } catch {
      return []
    }
    const out: StoredFile[] = []
    for (const name of names) {
      try {
        const info = decodeManifest(await readFile(join(this.dir, name, 'manifest')))
        if (info.cid.toString() !== name) throw new Error('manifest does not match folder')
        out.push(await this.open(info))
      } catch (err) {
        this.#log.error('skipping stored item %s - %e', name, err)
      }
    }
    return out
  }

  /** Forgets a file and deletes it from disk. */
  async remove (cid: string): Promise<void> {
    const file = await this.#open.get(cid)?.catch(() => undefined)
    this.#open.delete(cid)
    await file?.close()
    await rm(join(this.dir, cid), { recursive: true, force: true })
  }

  async close (): Promise<void> {
    const files = [...this.#open.values()]
    this.#open.clear()
    await Promise.all(files.map(async f => (await f.catch(() => undefined))?.close()))
  }
}
