import { realpath } from 'node:fs/promises'
import { join, posix, relative, resolve } from 'node:path'
import { TypedEventEmitter } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { decodeManifest, hashFile, parseCid } from '../../node/manifest/index.js'
import { COMPONENT, DEFAULT_DEBOUNCE_MS, DEFAULT_POLL_INTERVAL_MS, SETTLE_MS } from './constants.js'
import { NotStartedError } from './errors.js'
import { HashCache } from './hash-cache.js'
import { Library } from './library.js'
import { Scanner } from './scanner.js'
import { isInside } from './walk.js'
import { Watcher } from './watcher.js'
import type { CatalogueEntry, CatalogueEvents, CatalogueInit, CatalogueStats } from './index.js'
import type { Logger } from '@libp2p/interface'

interface QueuedScan {
  promise: Promise<void>
  /** Leave recently modified files for later (watch and poll scans). */
  settle: boolean
}

/**
 * The tracker's catalogue of the media folder. `start()` loads the hash cache and runs a
 * full scan; then a debounced fs.watch and a periodic poll keep it current. Scans never
 * overlap: a request during a scan queues one more (requests while one is queued join it).
 */
export class Catalogue extends TypedEventEmitter<CatalogueEvents> {
  private readonly mediaDir: string
  private readonly cacheDir: string
  private readonly log: Logger
  private readonly watchEnabled: boolean
  private readonly debounceMs: number
  private readonly pollIntervalMs: number
  private readonly cache: HashCache
  private readonly library = new Library()
  private readonly scanner: Scanner
  private readonly counters: CatalogueStats = { hashed: 0, cached: 0 }
  private running = false
  private controller = new AbortController()
  private watcher?: Watcher
  private settleTimer?: NodeJS.Timeout
  private tail: Promise<void> = Promise.resolve()
  private queued?: QueuedScan
  private starting?: Promise<void>
  /** Real paths the scan and the watcher leave out: the cache folder, or its files. */
  private exclude: string[] = []

  constructor (init: CatalogueInit) {
    super()
    this.mediaDir = resolve(init.mediaDir)
    this.cacheDir = resolve(init.cacheDir)
    this.log = (init.logger ?? defaultLogger()).forComponent(COMPONENT)
    this.watchEnabled = init.watch ?? true
    this.debounceMs = init.debounceMs ?? DEFAULT_DEBOUNCE_MS
    this.pollIntervalMs = init.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS
    this.cache = new HashCache({ dir: this.cacheDir, log: this.log })
    this.scanner = new Scanner({
      root: this.mediaDir,
      cache: this.cache,
      library: this.library,
      counters: this.counters,
      log: this.log,
      include: init.include
    })
  }

  /** Loads the hash cache and completes a first full scan; then watches (unless disabled). */
  async start (): Promise<void> {
    if (this.starting != null) return this.starting
    if (this.running) return
    this.starting = this.startOnce().finally(() => { this.starting = undefined })
    return this.starting
  }

  private async startOnce (): Promise<void> {
    this.controller = new AbortController()
    this.counters.hashed = 0
    this.counters.cached = 0
    const realMediaDir = await realpath(this.mediaDir)
    await this.cache.load(realMediaDir)
    const realCacheDir = await realpath(this.cacheDir)
    // never serve the tracker's home (it holds the identity key); if the home is the library
    // folder itself (or holds it), leave out just the cache's own files
    this.exclude = isInside(realCacheDir, realMediaDir)
      ? this.cache.ownPaths().map(path => join(realCacheDir, relative(this.cacheDir, path)))
      : [realCacheDir]
    this.running = true
    try {
      // watch before the first scan so that nothing changed during it is missed
      if (this.watchEnabled) {
        this.watcher = new Watcher({
          dir: this.mediaDir,
          realDir: realMediaDir,
          ignore: this.exclude,
          debounceMs: this.debounceMs,
          pollIntervalMs: this.pollIntervalMs,
          onChange: reason => { this.backgroundScan(reason) },
          log: this.log
        })
        this.watcher.start()
      }
      await this.requestScan(false)
      const pruned = await this.cache.pruneManifests()
      if (pruned > 0) this.log('removed %d unused manifests', pruned)
    } catch (err) {
      await this.stop()
      throw err
    }
    this.log('started: %d files in %s (%d hashed, %d from cache)', this.size, this.mediaDir,
      this.counters.hashed, this.counters.cached)
  }

  /** Stops watching, lets a running scan end at the next file, and saves the hash cache. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    this.controller.abort()
    clearTimeout(this.settleTimer)
    this.settleTimer = undefined
    this.watcher?.stop()
    this.watcher = undefined
    await this.tail
    try {
      await this.cache.save()
    } catch (err) {
      this.log.error('cannot save hash cache: %e', err)
    }
  }

  /** Runs one full scan now (after the running one, if any). Rejects when not started. */
  async rescan (): Promise<void> {
    if (!this.running) throw new NotStartedError()
    await this.requestScan(false)
  }

  /**
   * Entries sorted by path. `query`: case-insensitive words that must all occur in the path,
   * title, artist or album. `limit` undefined or 0 means all (0 is the wire's unset value).
   */
  list (query?: string, offset = 0, limit?: number): { items: CatalogueEntry[], total: number } {
    const matches = this.library.search(query ?? '')
    const start = Number.isFinite(offset) && offset > 0 ? Math.floor(offset) : 0
    const end = limit == null || !(limit > 0) ? matches.length : start + Math.floor(limit)
    return { items: matches.slice(start, end), total: matches.length }
  }

  /** The entry whose manifest has this cid (any multibase form of it). */
  get (cid: string): CatalogueEntry | undefined {
    return this.library.byCid(cid) ?? this.library.byCid(parseCid(cid)?.toString() ?? '')
  }

  /**
   * The entry at this exact relative path, else the only entry with this file name, else the
   * only one with this file name ignoring case; undefined when none or ambiguous.
   */
  findByName (name: string): CatalogueEntry | undefined {
    const clean = posix.normalize(name.replace(/\\/g, '/')).replace(/^(\.?\/)+/, '')
    return this.library.byPath(clean) ?? this.library.uniqueByBasename(name)
  }

  /**
   * The manifest encoding of a cid in the catalogue, read from the cache folder and checked
   * against the cid. A missing or corrupt stored manifest is rebuilt by hashing the file.
   */
  async manifest (cid: string): Promise<Uint8Array | undefined> {
    const entry = this.get(cid)
    if (entry == null) return undefined
    const stored = await this.cache.getManifest(entry.cidString)
    if (stored != null) {
      try {
        decodeManifest(stored, entry.cid)
        return stored
      } catch (err) {
        this.log.error('stored manifest %s is corrupt, rebuilding: %e', entry.cidString, err)
        await this.cache.forgetManifest(entry.cidString)
      }
    }
    try {
      const info = await hashFile(entry.absolutePath, { signal: this.controller.signal })
      if (!info.cid.equals(entry.cid)) {
        this.log('%s changed since it was scanned', entry.path)
        this.scheduleSettleScan()
        return undefined
      }
      await this.cache.putManifest(entry.cidString, info.bytes)
      return info.bytes
    } catch (err) {
      this.log.error('cannot rebuild manifest of %s: %e', entry.path, err)
      return undefined
    }
  }

  /** Number of entries (files). */
  get size (): number {
    return this.library.size
  }

  /** Files hashed vs served from the hash cache since `start()`. */
  get stats (): CatalogueStats {
    return { ...this.counters }
  }

  private requestScan (settle: boolean): Promise<void> {
    const queued = this.queued
    if (queued != null) {
      if (!settle) queued.settle = false
      return queued.promise
    }
    const scan: QueuedScan = { settle, promise: Promise.resolve() }
    scan.promise = this.tail.then(async () => {
      this.queued = undefined
      if (!this.running) return
      await this.scanOnce(scan.settle)
    })
    this.queued = scan
    this.tail = scan.promise.catch(() => {})
    return scan.promise
  }

  private async scanOnce (settle: boolean): Promise<void> {
    const result = await this.scanner.run({
      settleMs: settle ? SETTLE_MS : 0,
      exclude: this.exclude,
      signal: this.controller.signal
    })
    if (result.unsettled && this.running) this.scheduleSettleScan()
    if (result.added.length > 0 || result.removed.length > 0) {
      this.log('scan: %d added, %d removed', result.added.length, result.removed.length)
      this.safeDispatchEvent('change', { detail: { added: result.added, removed: result.removed } })
    }
  }

  /** Scans in the background; failures are logged, never thrown. */
  private backgroundScan (reason: string): void {
    if (!this.running) return
    this.log.trace('rescan: %s', reason)
    this.requestScan(true).catch(err => { this.log.error('%s rescan failed: %e', reason, err) })
  }

  private scheduleSettleScan (): void {
    if (this.settleTimer != null || !this.running) return
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined
      this.backgroundScan('settle')
    }, SETTLE_MS + 50)
    this.settleTimer.unref()
  }
}
