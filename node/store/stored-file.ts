import { rename } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pieceLength, pieceOffset, verifyPiece } from '../manifest/index.js'
import { Bitfield } from './bitfield.js'
import { PieceDamagedError, PieceNotStoredError } from './errors.js'
import { lookOf, looksUnchanged, writeLocation } from './location.js'
import { encodeState } from './state-file.js'
import { readBytes, writeAll } from './store-fs.js'
import { syncDir } from '../write-atomic.js'
import type { DataLocation } from './location.js'
import type { StoreFileSystem } from './store-fs.js'
import type { ManifestInfo } from '../manifest/index.js'
import type { Logger } from '@libp2p/interface'
import type { FileHandle } from 'node:fs/promises'

/** Listener for pieces becoming available in a stored file. */
export type PieceListener = (index: number) => void

/** Listener for stored pieces found damaged and dropped (stop announcing them). */
export type PieceDroppedListener = (indexes: number[]) => void

/** What a {@link StoredFile} is made of (see PieceStore). */
export interface StoredFileInit {
  info: ManifestInfo
  /** Folder of its manifest, bitfield and location record. */
  dir: string
  /** Where the piece data lies when not in `<dir>/data` (a download in place). */
  location?: DataLocation
  handle: FileHandle
  bitfield: Bitfield
  persistDelayMs: number
  fs: StoreFileSystem
  log: Logger
}

/**
 * One file in the store: its manifest, a sparse data file, and a persisted bitfield of the
 * pieces written and verified. Only verified pieces are ever written here, and a piece is
 * handed out (served, streamed, exported) only once verified in this process: pieces written
 * here are, the others are hashed on their first read, and a damaged one is dropped.
 */
export class StoredFile {
  readonly info: ManifestInfo
  readonly dir: string
  readonly bitfield: Bitfield
  readonly #handle: FileHandle
  readonly #persistDelayMs: number
  readonly #fs: StoreFileSystem
  readonly #log: Logger
  /** Pieces verified since this process opened the file. */
  readonly #verified: Bitfield
  /** Pieces set since the last successful persist: synced, then named in its trailer. */
  readonly #unpersisted = new Set<number>()
  readonly #listeners = new Set<PieceListener>()
  readonly #dropListeners = new Set<PieceDroppedListener>()
  #location?: DataLocation
  /** The location record changed (our own write to a placed file) and is persisted with the bitfield. */
  #locationDirty = false
  /** Writes into a placed file in progress: its mtime is ours, not the user's. */
  #writing = 0
  #lost = false
  #persistTimer?: NodeJS.Timeout
  #persisting: Promise<void> = Promise.resolve()
  #closed = false
  /** What the download of this file learned other peers hold (see {@link knownHeldBy}). */
  #peerKnowledge?: (peer: string, index: number) => boolean

  constructor (init: StoredFileInit) {
    this.info = init.info
    this.dir = init.dir
    this.#location = init.location
    this.#handle = init.handle
    this.bitfield = init.bitfield
    this.#persistDelayMs = init.persistDelayMs
    this.#fs = init.fs
    this.#log = init.log
    this.#verified = new Bitfield(init.info.pieceCount)
  }

  get cid (): string { return this.info.cid.toString() }
  /** Where the piece data lies now. */
  get dataPath (): string { return this.#location?.path ?? join(this.dir, 'data') }
  /** The final name of a download in place, while its data lies under a temporary name. */
  get target (): string | undefined { return this.#location?.target }
  /** True when the data lies outside the store under its final name (a download in place, renamed). */
  get placed (): boolean { return this.#location != null && this.#location.target == null }
  /** True once the user moved, replaced or changed a placed file: nothing is held any more. */
  get lost (): boolean { return this.#lost }
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

  /** True when the piece is held and was verified by this process (written here, or hashed since). */
  isVerified (index: number): boolean { return this.bitfield.has(index) && this.#verified.has(index) }

  /**
   * True when a download of this file knows `peer` holds piece `index` (from the bitfield and
   * HAVEs it sent us): the server then does not announce that piece to it. False when unknown.
   */
  knownHeldBy (peer: string, index: number): boolean {
    return this.#peerKnowledge?.(peer, index) ?? false
  }

  /** Set by the download of this file while it runs (the newest download wins). */
  setPeerKnowledge (knows: (peer: string, index: number) => boolean): void {
    this.#peerKnowledge = knows
  }

  /** Called by a download that ends: forgets its knowledge unless a newer download replaced it. */
  clearPeerKnowledge (knows: (peer: string, index: number) => boolean): void {
    if (this.#peerKnowledge === knows) this.#peerKnowledge = undefined
  }

  /** Notified with each newly stored piece; returns an unsubscribe function. */
  onPiece (listener: PieceListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Notified when stored pieces are found damaged and dropped; returns an unsubscribe function. */
  onPieceDropped (listener: PieceDroppedListener): () => void {
    this.#dropListeners.add(listener)
    return () => this.#dropListeners.delete(listener)
  }

  /** Writes a piece the caller has verified against the manifest (one buffer or its chunks). */
  async writePiece (index: number, data: Uint8Array | (Iterable<Uint8Array> & { byteLength: number })): Promise<void> {
    if (this.bitfield.has(index)) return
    if (this.#lost) throw new PieceNotStoredError(`${this.cid} was moved or changed at ${this.dataPath}; it is no longer written to`)
    this.#writing++
    try {
      await writeAll(this.#handle, data instanceof Uint8Array ? [data] : [...data], pieceOffset(this.info.manifest, index))
      if (this.placed) await this.#refreshLook()
    } catch (err) {
      // a write to an open file names no path: name it (the output folder or the home)
      const e = err as NodeJS.ErrnoException
      e.path ??= this.dataPath
      throw err
    } finally {
      this.#writing--
    }
    this.#verified.set(index)
    if (this.bitfield.set(index)) {
      this.#unpersisted.add(index)
      this.#schedulePersist()
      for (const l of this.#listeners) l(index)
    }
  }

  /**
   * Reads bytes of the file. Every piece they fall in must be stored; one not verified yet
   * is verified first (PieceDamagedError, and dropped, when it fails).
   */
  async read (position: number, length: number): Promise<Uint8Array> {
    const { pieceSize } = this.info.manifest
    if (length > 0 && !(await this.#stillThere())) throw new PieceNotStoredError(`${this.cid} was moved or changed at ${this.dataPath}`)
    if (length > 0) {
      for (let i = Math.floor(position / pieceSize); i <= Math.floor((position + length - 1) / pieceSize); i++) {
        if (!this.#verified.has(i) || !this.bitfield.has(i)) await this.readPiece(i)
      }
    }
    return readBytes(this.#handle, position, length)
  }

  /**
   * Reads a stored piece, verified: PieceNotStoredError when it is not held, PieceDamagedError
   * when it fails its hash on this first read since open (it is then dropped). `into` (see
   * {@link checkPiece}) is a buffer to read into.
   */
  async readPiece (index: number, into?: Uint8Array): Promise<Uint8Array> {
    if (!this.bitfield.has(index)) throw new PieceNotStoredError(`Piece ${index} of ${this.cid} is not stored`)
    const data = await this.checkPiece(index, into)
    if (data != null) return data
    if (!this.bitfield.has(index)) throw new PieceNotStoredError(`Piece ${index} of ${this.cid} is not stored`)
    await this.drop([index])
    throw new PieceDamagedError(index, `Stored piece ${index} of ${this.cid} is damaged; it was dropped`)
  }

  /**
   * Reads a held piece, hashing it when this process has not verified it yet. Undefined when
   * it is not held or fails its hash: the caller drops what failed (in one batch, see
   * {@link drop}). A placed file is checked first: moved or changed, it is dropped whole.
   * With `into` (at least the piece's length) the bytes are read into it and a view of it is
   * returned (a server's reused read buffer: no allocation per piece); the store keeps no
   * reference to it.
   */
  async checkPiece (index: number, into?: Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.bitfield.has(index) || !(await this.#stillThere())) return undefined
    const data = await readBytes(this.#handle, pieceOffset(this.info.manifest, index), pieceLength(this.info.manifest, index), into)
    if (this.#verified.has(index)) return data
    if (!verifyPiece(this.info.manifest, index, data)) return undefined
    this.#verified.set(index)
    return data
  }

  /**
   * Verifies the given held pieces that this process has not verified yet, in one pass;
   * drops (one persist) and returns the damaged ones.
   */
  async verify (indexes: Iterable<number>): Promise<number[]> {
    const bad: number[] = []
    for (const i of indexes) {
      if (!this.bitfield.has(i) || this.#verified.has(i)) continue
      if (await this.checkPiece(i) == null && this.bitfield.has(i)) bad.push(i)
    }
    await this.drop(bad)
    return bad
  }

  /**
   * Moves a download in place to `path` (its target, or another name on the same file
   * system): the data is flushed, renamed, and from then on served from there. True when the
   * data lies at `path` now; false when it cannot be moved there (data in the store, placed
   * elsewhere, or another file system): copy it instead.
   */
  async place (path: string): Promise<boolean> {
    if (this.#lost || this.#location == null) return false
    if (this.#location.target == null) return this.#location.path === path
    await this.flush()
    try {
      await rename(this.#location.path, path)
    } catch (err) {
      // another file system; or the temporary name is gone because another process sharing
      // this home placed the same download first: copy it from our handle instead
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EXDEV' || code === 'ENOENT') return false
      throw err
    }
    await syncDir(dirname(path))
    const look = await this.#handle.stat()
    this.#location = { path, size: look.size, mtimeMs: look.mtimeMs, ino: look.ino }
    await writeLocation(this.#fs, this.dir, this.#location)
    this.#log('%s placed at %s', this.cid, path)
    return true
  }

  /** A placed file still looks as we left it; when it does not, it is dropped whole. */
  async #stillThere (): Promise<boolean> {
    if (this.#lost) return false
    const loc = this.#location
    if (loc == null || loc.target != null || this.#writing > 0) return true
    if (looksUnchanged(loc, await lookOf(loc.path))) return true
    if (this.#lost || this.#writing > 0) return !this.#lost
    this.#lost = true
    this.#log.error('%s was moved or changed at %s: no longer shared from there', this.cid, loc.path)
    this.#location = undefined
    await this.drop(this.bitfield.indexes())
    await writeLocation(this.#fs, this.dir, undefined).catch(() => {})
    return false
  }

  /** Our own write changed a placed file: remember how it looks now. */
  async #refreshLook (): Promise<void> {
    const look = await this.#handle.stat()
    if (this.#location == null) return
    this.#location = { ...this.#location, size: look.size, mtimeMs: look.mtimeMs, ino: look.ino }
    this.#locationDirty = true
  }

  /**
   * Forgets pieces found damaged (by this file or by an export of it): they leave the
   * bitfield, which is persisted, and the drop listeners are told.
   */
  async drop (indexes: number[]): Promise<void> {
    const dropped = indexes.filter(i => this.bitfield.unset(i))
    for (const i of indexes) { this.#verified.unset(i); this.#unpersisted.delete(i) }
    if (dropped.length === 0) return
    this.#log.error('%s: %d stored pieces are damaged, dropped: %s', this.cid, dropped.length, dropped.slice(0, 16).join(', '))
    for (const l of this.#dropListeners) l(dropped)
    await this.flush().catch(err => { this.#log.error('could not persist the bitfield of %s - %e', this.cid, err) })
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

  /**
   * Persists the bitfield now: the data of the pieces it adds is flushed to the device
   * first, and the bitfield file names them until a clean close, so that after a crash
   * they are verified again on open.
   */
  async flush (): Promise<void> {
    await this.#persist(false)
  }

  async #persist (clean: boolean): Promise<void> {
    if (this.#persistTimer != null) {
      clearTimeout(this.#persistTimer)
      this.#persistTimer = undefined
    }
    // one write at a time, in order; a failed one does not stop the next
    const write = this.#persisting.catch(() => {}).then(async () => {
      if (this.#closed) return
      // every bit in this snapshot was set after its data was written
      const bits = new Uint8Array(this.bitfield.bytes)
      const added = [...this.#unpersisted]
      this.#unpersisted.clear()
      try {
        if (added.length > 0) await this.#fs.datasync(this.#handle)
        let recent: Bitfield | undefined
        if (!clean) {
          recent = new Bitfield(this.info.pieceCount)
          for (const i of added) recent.set(i)
        }
        await this.#fs.writeFileAtomic(join(this.dir, 'bitfield'), encodeState(bits, recent))
        if (this.#locationDirty && this.#location != null) {
          this.#locationDirty = false
          await writeLocation(this.#fs, this.dir, this.#location)
        }
      } catch (err) {
        for (const i of added) if (this.bitfield.has(i)) this.#unpersisted.add(i)
        throw err
      }
    })
    this.#persisting = write
    await write
  }

  /** Persists what it can (marked as a clean close) and closes the file; never throws on a failed last write. */
  async close (): Promise<void> {
    try {
      await this.#persist(true)
    } catch {
      // the bitfield on disk is older than the data: those pieces are fetched again
    }
    this.#closed = true
    this.#listeners.clear()
    this.#dropListeners.clear()
    await this.#handle.close()
  }
}
