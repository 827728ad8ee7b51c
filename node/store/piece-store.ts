import { readFile, readdir, rm, stat, statfs } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { decodeManifest } from '../manifest/index.js'
import { ensureDir } from '../ensure-dir.js'
import { Bitfield } from './bitfield.js'
import { lookOf, looksUnchanged, readLocation, writeLocation } from './location.js'
import { decodeState } from './state-file.js'
import { nodeStoreFileSystem, openData } from './store-fs.js'
import { StoredFile } from './stored-file.js'
import { tempPathBeside } from '../write-atomic.js'
import type { DataLocation } from './location.js'
import type { StoreFileSystem } from './store-fs.js'
import type { ManifestInfo } from '../manifest/index.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

/** Options of a {@link PieceStore}. */
export interface PieceStoreInit {
  /** Folder holding one sub-folder per cid. */
  dir: string
  logger: ComponentLogger
  /**
   * How long piece completions may stay unpersisted: each persist syncs the data and rewrites
   * the bitfield (two fsyncs and a rename), so it is not done for every piece. @default 1000
   */
  persistDelayMs?: number
  /** The file-system calls that order durability (tests watch them). @default the real ones */
  fs?: Partial<StoreFileSystem>
}

/** Options of {@link PieceStore.open}. */
export interface OpenOptions {
  /**
   * Where the file is going (`get -o`): when nothing of it is held yet, its data is written
   * in place, under a temporary name beside this path, and renamed to it once complete (see
   * StoredFile.place); the store keeps only the manifest, the bitfield and that location.
   * @default undefined (the data lies in the store)
   */
  saveAs?: string
}

/**
 * The peer's piece cache: `<dir>/<cid>/{manifest,bitfield}` and the data, either in
 * `<cid>/data` or, for a download in place, where the `<cid>/location` record says. Files
 * stay open while the store runs, so serving and downloading share one handle per file.
 */
export class PieceStore {
  readonly dir: string
  readonly #log: Logger
  readonly #persistDelayMs: number
  readonly #fs: StoreFileSystem
  readonly #open = new Map<string, Promise<StoredFile>>()

  constructor (init: PieceStoreInit) {
    this.dir = init.dir
    this.#log = init.logger.forComponent('mediaswarm:store')
    this.#persistDelayMs = init.persistDelayMs ?? 1000
    this.#fs = { ...nodeStoreFileSystem, ...init.fs }
  }

  /** Opens (creating when new) the stored file for a manifest. */
  async open (info: ManifestInfo, options: OpenOptions = {}): Promise<StoredFile> {
    const cid = info.cid.toString()
    let file = this.#open.get(cid)
    if (file != null && !(await file.then(async f => !f.lost && await stat(f.dataPath).then(() => true, () => false), () => false))) {
      // deleted, moved or changed behind our back (the user cleaned the cache, moved the
      // download): start it afresh
      this.#log('%s vanished; opening it again', cid)
      await (await file.catch(() => undefined))?.close().catch(() => {})
      this.#open.delete(cid)
      file = undefined
    }
    if (file == null) {
      file = this.#openFile(info, options.saveAs)
      this.#open.set(cid, file)
      file.catch(() => this.#open.delete(cid))
    }
    return file
  }

  async #openFile (info: ManifestInfo, saveAs?: string): Promise<StoredFile> {
    const dir = join(this.dir, info.cid.toString())
    await ensureDir(dir)
    // written once: a read-only or full home can still serve what it holds
    const manifestPath = join(dir, 'manifest')
    const stored = await readFile(manifestPath).catch(() => undefined)
    if (stored == null || !Buffer.from(info.bytes).equals(stored)) await this.#fs.writeFileAtomic(manifestPath, info.bytes)
    let state = decodeState(await readFile(join(dir, 'bitfield')).catch(() => undefined), info.pieceCount)
    let location = await readLocation(dir)
    if (location != null) {
      const checked = await this.#checkLocation(location, info)
      if (checked == null) {
        this.#log('%s was moved or changed at %s: nothing of it is held any more', info.cid, location.path)
        state = {}
      }
      // a read-only home still opens (and serves what it can); the record is fixed next time
      if (checked !== location) await writeLocation(this.#fs, dir, checked).catch(err => { this.#log.error('could not update the location of %s - %e', info.cid, err) })
      location = checked
    }
    const inStore = join(dir, 'data')
    if (location == null && saveAs != null && new Bitfield(info.pieceCount, state.bits).count === 0) {
      // nothing held yet: download in place, beside where it is going
      location = { path: tempPathBeside(saveAs, 'mediaswarm-part'), target: saveAs }
      await ensureDir(dirname(saveAs))
      await checkRoom(location.path, info.manifest.size)
      // recorded before the file is made: a crash in between leaves no stray file
      await writeLocation(this.#fs, dir, location)
      state = {}
    }
    // never truncate an existing data file: another process may share this home and be
    // writing verified pieces into it
    const handle = await openData(location?.path ?? inStore)
    const { size } = await handle.stat()
    if (size < info.manifest.size) {
      if (size > 0 && state.bits != null) state = {} // data lost: start over
      await handle.truncate(info.manifest.size)
    }
    const bitfield = new Bitfield(info.pieceCount, state.bits)
    const file = new StoredFile({ info, dir, location, handle, bitfield, persistDelayMs: this.#persistDelayMs, fs: this.#fs, log: this.#log })
    if (state.recent != null) {
      // not closed cleanly (a crash, a power cut, or another process still has it open):
      // the pieces of the last persist are hashed again before anything trusts them
      const bad = await file.verify(state.recent.indexes())
      this.#log('%s was not closed cleanly: re-verified %d recent pieces, %d damaged', info.cid, state.recent.count, bad.length)
    }
    this.#log('opened %s with %d/%d pieces', info.cid, bitfield.count, info.pieceCount)
    return file
  }

  /**
   * The location record checked against the disk: a temporary file still there (resume), a
   * placed file unchanged, or a rename that a crash kept from being recorded. Undefined
   * when the data is gone, moved or changed.
   */
  async #checkLocation (loc: DataLocation, info: ManifestInfo): Promise<DataLocation | undefined> {
    if (loc.target == null) return looksUnchanged(loc, await lookOf(loc.path)) ? loc : undefined
    if (await lookOf(loc.path) != null) return loc
    const placed = await lookOf(loc.target)
    return placed?.size === info.manifest.size ? { path: loc.target, ...placed } : undefined
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
    // an unfinished download in place is ours to delete; a placed file is the user's
    const location = await readLocation(join(this.dir, cid))
    if (location?.target != null) await rm(location.path, { force: true })
    await rm(join(this.dir, cid), { recursive: true, force: true })
  }

  async close (): Promise<void> {
    const files = [...this.#open.values()]
    this.#open.clear()
    await Promise.all(files.map(async f => (await f.catch(() => undefined))?.close()))
  }
}

/** Fails with ENOSPC (naming `path`) when the disk of `path` has not `bytes` free: before a download in place starts. */
async function checkRoom (path: string, bytes: number): Promise<void> {
  const s = await statfs(dirname(path)).catch(() => undefined)
  if (s == null || s.bavail * s.bsize >= bytes) return
  throw Object.assign(new Error(`ENOSPC: no space left on device, ${bytes} bytes needed at '${path}'`), { code: 'ENOSPC', syscall: 'statfs', path })
}
