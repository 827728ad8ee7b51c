import { stat } from 'node:fs/promises'
import { hashFile, parseCid } from '../../node/manifest/index.js'
import { SAVE_INTERVAL_MS } from './constants.js'
import { readMetadata } from './metadata.js'
import { isMediaMime, mimeTypeOf } from './mime.js'
import { walk } from './walk.js'
import type { CacheRecord, HashCache } from './hash-cache.js'
import type { CatalogueEntry, CatalogueStats } from './index.js'
import type { Library } from './library.js'
import type { FoundFile } from './walk.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** What a {@link Scanner} works on: shared with the catalogue that owns it. */
export interface ScannerInit {
  root: string
  cache: HashCache
  library: Library
  /** Incremented as files are hashed or taken from the cache. */
  counters: CatalogueStats
  log: Logger
  /** Files (relative paths) to list; the others are left out. @default every file */
  include?: (path: string) => boolean
}

/** Options of one scan. */
export interface ScanOptions {
  /** Leave files modified less than this many ms ago for a later scan; 0 takes them all. */
  settleMs: number
  /** Real paths of folders under the root to skip (the cache folder). */
  exclude: string[]
  signal: AbortSignal
}

/** What one scan changed. */
export interface ScanResult {
  added: CatalogueEntry[]
  removed: CatalogueEntry[]
  /** Some files were left out because they were still changing: scan again soon. */
  unsettled: boolean
}

type HashOutcome = CacheRecord | 'unsettled' | 'gone' | 'aborted'

/**
 * One pass over the media folder: lists it, drops entries whose files are gone, and for each
 * new or changed file (size or mtime) takes its cid from the hash cache or hashes it, one
 * file at a time. The library is updated as it goes; the result lists what changed.
 */
export class Scanner {
  private readonly init: ScannerInit
  /** path → size:mtime of files that could not be read, so they are not retried every scan. */
  private readonly failed = new Map<string, string>()

  constructor (init: ScannerInit) {
    this.init = init
  }

  /** Scans once; stops early (keeping what it did) when `signal` aborts. */
  async run (options: ScanOptions): Promise<ScanResult> {
    const { cache, library, log } = this.init
    const { signal } = options
    const result: ScanResult = { added: [], removed: [], unsettled: false }

    const found = new Map<string, FoundFile>()
    try {
      for await (const file of walk(this.init.root, { log, exclude: options.exclude, signal })) {
        if (this.init.include != null && !this.init.include(file.path)) continue
        found.set(file.path, file)
      }
    } catch (err) {
      if (signal.aborted) return result
      throw err
    }

    for (const path of library.allPaths()) {
      if (!found.has(path)) this.drop(path, result)
    }
    // records of files removed while the tracker was not running
    for (const path of cache.paths()) {
      if (!found.has(path)) cache.delete(path)
    }
    for (const path of this.failed.keys()) {
      if (!found.has(path)) this.failed.delete(path)
    }

    let lastSave = Date.now()
    for (const file of found.values()) {
      if (signal.aborted) break
      const current = library.byPath(file.path)
      if (current?.size === file.size && current.mtimeMs === file.mtimeMs) continue
      if (options.settleMs > 0 && Math.abs(Date.now() - file.mtimeMs) < options.settleMs) {
        // may still be being written: keep what we had, look again shortly
        result.unsettled = true
        continue
      }
      const outcome = await this.recordFor(file, signal)
      if (outcome === 'aborted') break
      if (outcome === 'unsettled') {
        result.unsettled = true
        continue
      }
      if (outcome === 'gone') {
        this.drop(file.path, result)
        continue
      }
      const entry = toEntry(file, outcome)
      if (entry == null) continue
      library.add(entry)
      if (current?.cidString !== entry.cidString) {
        if (current != null) result.removed.push(current)
        result.added.push(entry)
      }
      if (Date.now() - lastSave > SAVE_INTERVAL_MS) {
        lastSave = Date.now()
        await this.save()
      }
    }

    if (result.removed.length > 0) await cache.pruneManifests().catch(err => { log.error('cannot prune manifests: %e', err) })
    await this.save()
    return result
  }

  /** The cache record for a file: from the cache when size and mtime match, else by hashing. */
  private async recordFor (file: FoundFile, signal: AbortSignal): Promise<HashOutcome> {
    const { cache, counters, log } = this.init
    const cached = cache.lookup(file.path, file.size, file.mtimeMs)
    if (cached != null && parseCid(cached.cid) != null && await cache.hasManifest(cached.cid)) {
      counters.cached++
      // records from before covers were looked for: read the tags again (not the hashes)
      if (cached.meta.cover == null && isMediaMime(mimeTypeOf(file.path))) {
        const meta = await readMetadata(file.absolutePath, file.size, log)
        const record = { ...cached, meta: { ...meta, cover: meta.cover ?? false } }
        cache.set(file.path, record)
        return record
      }
      return cached
    }
    const version = `${file.size}:${file.mtimeMs}`
    if (this.failed.get(file.path) === version) return 'gone'
    try {
      log('hashing %s (%d bytes)', file.path, file.size)
      const before = await stat(file.absolutePath)
      const info = await hashFile(file.absolutePath, { signal })
      const after = await stat(file.absolutePath)
      if (after.size !== file.size || after.mtimeMs !== file.mtimeMs || info.manifest.size !== file.size) {
        log('%s changed while it was hashed', file.path)
        return 'unsettled'
      }
      const mime = mimeTypeOf(file.path)
      const meta = isMediaMime(mime) ? await readMetadata(file.absolutePath, file.size, log) : { codecs: [] }
      const cid = info.cid.toString()
      await cache.putManifest(cid, info.bytes)
      const record: CacheRecord = {
        size: file.size,
        mtimeMs: file.mtimeMs,
        cid,
        pieceSize: info.manifest.pieceSize,
        pieceCount: info.pieceCount,
        meta
      }
      // any write (even one that restores mtime) or replacement changes ctime or inode
      if (before.ctimeMs === after.ctimeMs && before.ino === after.ino) record.hashed = { ctimeMs: after.ctimeMs, ino: after.ino }
      cache.set(file.path, record)
      counters.hashed++
      return record
    } catch (err) {
      if (signal.aborted) return 'aborted'
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return 'gone'
      if ((err as Error).name === 'InvalidManifestError') return 'unsettled' // shrank mid-hash
      log.error('cannot hash %s: %e', file.path, err)
      this.failed.set(file.path, version)
      return 'gone'
    }
  }

  private drop (path: string, result: ScanResult): void {
    const entry = this.init.library.byPath(path)
    this.init.cache.delete(path)
    if (entry == null) return
    this.init.library.remove(entry)
    result.removed.push(entry)
  }

  private async save (): Promise<void> {
    try {
      await this.init.cache.save()
    } catch (err) {
      this.init.log.error('cannot save hash cache: %e', err)
    }
  }
}

/** Builds the entry of a file from its cache record; undefined if the record's cid is bad. */
export function toEntry (file: FoundFile, record: CacheRecord): CatalogueEntry | undefined {
  const cid: CID | undefined = parseCid(record.cid)
  if (cid == null) return undefined
  const { meta } = record
  const entry: CatalogueEntry = {
    cid,
    cidString: cid.toString(),
    path: file.path,
    absolutePath: file.absolutePath,
    size: file.size,
    mtimeMs: file.mtimeMs,
    mime: mimeTypeOf(file.path),
    pieceSize: record.pieceSize,
    pieceCount: record.pieceCount,
    codecs: [...meta.codecs]
  }
  if (record.hashed != null) entry.hashed = { ...record.hashed }
  if (meta.title != null) entry.title = meta.title
  if (meta.artist != null) entry.artist = meta.artist
  if (meta.album != null) entry.album = meta.album
  if (meta.duration != null) entry.duration = meta.duration
  if (meta.bitrate != null) entry.bitrate = meta.bitrate
  if (meta.width != null) entry.width = meta.width
  if (meta.height != null) entry.height = meta.height
  if (meta.cover === true) entry.cover = true
  return entry
}
