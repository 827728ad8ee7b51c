import { readFile, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeManifest } from '../manifest/index.js'
import { ensureDir } from '../ensure-dir.js'
import { Bitfield } from './bitfield.js'
import { decodeState } from './state-file.js'
import { nodeStoreFileSystem, openData } from './store-fs.js'
import { StoredFile } from './stored-file.js'
import type { StoreFileSystem } from './store-fs.js'
import type { ManifestInfo } from '../manifest/index.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'

/** Options of a {@link PieceStore}. */
export interface PieceStoreInit {
  /** Folder holding one sub-folder per cid. */
  dir: string
  logger: ComponentLogger
  /** How long piece completions may stay unpersisted. @default 500 */
  persistDelayMs?: number
  /** The file-system calls that order durability (tests watch them). @default the real ones */
  fs?: Partial<StoreFileSystem>
}


/**
 * The peer's piece cache: `<dir>/<cid>/{manifest,data,bitfield}`. Files stay open while
 * the store runs, so serving and downloading share one handle per file.
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
    this.#persistDelayMs = init.persistDelayMs ?? 500
    this.#fs = { ...nodeStoreFileSystem, ...init.fs }
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
    if (stored == null || !Buffer.from(info.bytes).equals(stored)) await this.#fs.writeFileAtomic(manifestPath, info.bytes)
    let state = decodeState(await readFile(join(dir, 'bitfield')).catch(() => undefined), info.pieceCount)
    // never truncate an existing data file: another process may share this home and be
    // writing verified pieces into it
    const dataPath = join(dir, 'data')
    const handle = await openData(dataPath)
    const { size } = await handle.stat()
    if (size < info.manifest.size) {
      if (size > 0 && state.bits != null) state = {} // data lost: start over
      await handle.truncate(info.manifest.size)
    }
    const bitfield = new Bitfield(info.pieceCount, state.bits)
    const file = new StoredFile({ info, dir, dataPath, handle, bitfield, persistDelayMs: this.#persistDelayMs, fs: this.#fs, log: this.#log })
    if (state.recent != null) {
      // not closed cleanly (a crash, a power cut, or another process still has it open):
      // the pieces of the last persist are hashed again before anything trusts them
      const bad = await file.verify(state.recent.indexes())
      this.#log('%s was not closed cleanly: re-verified %d recent pieces, %d damaged', info.cid, state.recent.count, bad.length)
    }
    this.#log('opened %s with %d/%d pieces', info.cid, bitfield.count, info.pieceCount)
    return file
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
