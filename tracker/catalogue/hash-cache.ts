import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureDir, writeFileAtomic } from '../../node/index.js'
import { INDEX_FILE, INDEX_VERSION, MANIFEST_MEMORY_CACHE, MANIFESTS_DIR } from './constants.js'
import type { MediaMetadata } from './metadata.js'
import type { Logger } from '@libp2p/interface'

/** What the cache remembers about one library file, keyed by its relative path. */
export interface CacheRecord {
  size: number
  mtimeMs: number
  cid: string
  pieceSize: number
  pieceCount: number
  meta: MediaMetadata
  /**
   * The file's version that was hashed (change time and inode, unchanged from before to
   * after hashing): while a stat still shows them, every piece matches the manifest without
   * hashing it again. Absent when the file changed during hashing, or in older caches.
   */
  hashed?: HashedVersion
}

/** Change time (ms) and inode of the file version a manifest was computed from. */
export interface HashedVersion {
  ctimeMs: number
  ino: number
}

interface IndexFile {
  version: number
  /** The library folder the paths are relative to; an index of another library is ignored. */
  root: string
  files: Record<string, CacheRecord>
}

/** Options of {@link HashCache}. */
export interface HashCacheInit {
  /** Folder holding the index file and the manifests folder; created when missing. */
  dir: string
  log: Logger
}

/**
 * The tracker's persistent hash cache: a JSON index (relative path → size, mtime, cid,
 * metadata) and one file per manifest encoding under `manifests/<cid>`. Every write goes to
 * a temporary file that is then renamed over the target, so a crash leaves either the old
 * or the new version, never half of one. Only a few manifests are kept in memory.
 */
export class HashCache {
  private readonly dir: string
  private readonly manifestsDir: string
  private readonly log: Logger
  private records = new Map<string, CacheRecord>()
  private readonly manifests = new Map<string, Uint8Array>()
  private dirty = false
  private root = ''

  constructor (init: HashCacheInit) {
    this.dir = init.dir
    this.manifestsDir = join(init.dir, MANIFESTS_DIR)
    this.log = init.log
  }

  /**
   * Creates the folders and reads the index of the library at `root` (its real path); a
   * missing or unreadable index, or one written for another library, means empty.
   */
  async load (root: string): Promise<void> {
    await ensureDir(this.manifestsDir)
    this.root = root
    this.records = new Map()
    this.dirty = false
    let text: string
    try {
      text = await readFile(join(this.dir, INDEX_FILE), 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error('cannot read hash cache index: %e', err)
      return
    }
    try {
      const index = JSON.parse(text) as IndexFile
      if (index.version !== INDEX_VERSION || typeof index.files !== 'object' || index.files == null) {
        this.log('ignoring hash cache index of version %s', index.version)
        return
      }
      if (index.root !== root) {
        this.log('ignoring hash cache index of another library (%s)', index.root)
        this.dirty = true
        return
      }
      for (const [path, record] of Object.entries(index.files)) {
        if (isRecord(record)) this.records.set(path, record)
      }
    } catch (err) {
      this.log.error('hash cache index is corrupt, starting empty: %e', err)
    }
  }

  /** The record for `path` when the file still has the same size and mtime. */
  lookup (path: string, size: number, mtimeMs: number): CacheRecord | undefined {
    const record = this.records.get(path)
    return record?.size === size && record.mtimeMs === mtimeMs ? record : undefined
  }

  /** Remembers the record of a freshly hashed file. */
  set (path: string, record: CacheRecord): void {
    this.records.set(path, record)
    this.dirty = true
  }

  /** Forgets a file that is gone. */
  delete (path: string): void {
    if (this.records.delete(path)) this.dirty = true
  }

  /** The files and folders the cache writes (the library scan must leave them out). */
  ownPaths (): string[] {
    return [join(this.dir, INDEX_FILE), this.manifestsDir]
  }

  /** Relative paths the index knows. */
  paths (): string[] {
    return [...this.records.keys()]
  }

  /** Writes the index if it changed since the last save. */
  async save (): Promise<void> {
    if (!this.dirty) return
    this.dirty = false
    const index: IndexFile = { version: INDEX_VERSION, root: this.root, files: Object.fromEntries(this.records) }
    try {
      await writeFileAtomic(join(this.dir, INDEX_FILE), JSON.stringify(index))
    } catch (err) {
      this.dirty = true
      throw err
    }
  }

  /** True when the manifest of `cid` is on disk. */
  async hasManifest (cid: string): Promise<boolean> {
    return this.manifests.has(cid) || await this.hasManifestFile(cid)
  }

  /** Stores a manifest encoding (content addressed: an existing file is left alone). */
  async putManifest (cid: string, bytes: Uint8Array): Promise<void> {
    this.remember(cid, bytes)
    if (await this.hasManifestFile(cid)) return
    await writeFileAtomic(this.manifestPath(cid), bytes)
  }

  /** The stored manifest encoding of `cid`, unchecked; undefined when there is none. */
  async getManifest (cid: string): Promise<Uint8Array | undefined> {
    const cached = this.manifests.get(cid)
    if (cached != null) {
      this.remember(cid, cached)
      return cached
    }
    try {
      const bytes = new Uint8Array(await readFile(this.manifestPath(cid)))
      this.remember(cid, bytes)
      return bytes
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error('cannot read manifest %s: %e', cid, err)
      return undefined
    }
  }

  /** Drops a manifest from memory and disk (it was found corrupt). */
  async forgetManifest (cid: string): Promise<void> {
    this.manifests.delete(cid)
    await rm(this.manifestPath(cid), { force: true })
  }

  /**
   * Deletes manifest files no index record refers to, and leftover temporary files. Returns
   * how many were removed.
   */
  async pruneManifests (): Promise<number> {
    const wanted = new Set<string>()
    for (const record of this.records.values()) wanted.add(record.cid)
    let removed = 0
    for (const name of await readdir(this.manifestsDir)) {
      if (wanted.has(name)) continue
      this.manifests.delete(name)
      try {
        await unlink(join(this.manifestsDir, name))
        removed++
      } catch (err) {
        this.log('cannot remove manifest %s: %e', name, err)
      }
    }
    return removed
  }

  private manifestPath (cid: string): string {
    // a cid string is base32 (or base58btc) text, so it is a safe file name
    return join(this.manifestsDir, cid)
  }

  private async hasManifestFile (cid: string): Promise<boolean> {
    try {
      return (await stat(this.manifestPath(cid))).isFile()
    } catch {
      return false
    }
  }

  /** Least-recently-used memory cache: a Map iterates in insertion order. */
  private remember (cid: string, bytes: Uint8Array): void {
    this.manifests.delete(cid)
    this.manifests.set(cid, bytes)
    while (this.manifests.size > MANIFEST_MEMORY_CACHE) {
      const oldest = this.manifests.keys().next().value as string
      this.manifests.delete(oldest)
    }
  }
}

function isRecord (value: unknown): value is CacheRecord {
  const r = value as Partial<CacheRecord> | null
  return r != null && typeof r === 'object' && typeof r.size === 'number' &&
    typeof r.mtimeMs === 'number' && typeof r.cid === 'string' && typeof r.pieceSize === 'number' &&
    typeof r.pieceCount === 'number' && typeof r.meta === 'object' && r.meta != null &&
    Array.isArray(r.meta.codecs) &&
    (r.hashed === undefined || (typeof r.hashed === 'object' && r.hashed != null &&
      typeof r.hashed.ctimeMs === 'number' && typeof r.hashed.ino === 'number'))
}
