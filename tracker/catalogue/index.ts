/**
 * The tracker's catalogue: every file under the media folder, hashed once into a manifest
 * (cid), with MIME type and, for audio and video, tags and stream facts. A persistent hash
 * cache in the tracker's home means a restart re-hashes only files whose size or mtime
 * changed; a watcher (plus a periodic rescan) adds, replaces and removes items while it runs.
 *
 * @example
 * ```ts
 * const catalogue = new Catalogue({ mediaDir: './media', cacheDir: home })
 * catalogue.addEventListener('change', (evt) => { log(evt.detail.added.length) })
 * await catalogue.start()
 * const { items, total } = catalogue.list('tone', 0, 50)
 * const manifest = await catalogue.manifest(items[0].cidString)
 * ```
 */
import type { ComponentLogger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** One library file as the catalogue serves it. */
export interface CatalogueEntry {
  /** Content id of the file's manifest. */
  cid: CID
  /** `cid.toString()`, the key of {@link Catalogue.get}. */
  cidString: string
  /** Relative to the media root, POSIX separators, e.g. `clips/tone.ogg`. */
  path: string
  absolutePath: string
  size: number
  mtimeMs: number
  /** E.g. `audio/mpeg`, `video/mp4`; `application/octet-stream` when unknown. */
  mime: string
  pieceSize: number
  pieceCount: number
  title?: string
  artist?: string
  album?: string
  /** Seconds. */
  duration?: number
  /** Bits per second (the whole file's average for video). */
  bitrate?: number
  codecs: string[]
  width?: number
  height?: number
  /** The tags hold a cover picture (see readCover). */
  cover?: boolean
  /**
   * The file version the manifest was hashed from (see the hash cache's record): a file
   * that still has this ctime and inode is the one hashed, piece for piece.
   */
  hashed?: { ctimeMs: number, ino: number }
}

/** What a `change` event carries: entries that appeared and entries that went away. */
export interface CatalogueChange {
  added: CatalogueEntry[]
  removed: CatalogueEntry[]
}

/** Events of a {@link Catalogue}. */
export interface CatalogueEvents {
  /**
   * Fired after a scan that changed the catalogue. A file whose content changed appears in
   * both lists: its old entry removed, its new entry (new cid) added.
   */
  change: CustomEvent<CatalogueChange>
}

/** Options of a {@link Catalogue}. */
export interface CatalogueInit {
  /** The library folder; scanned recursively. */
  mediaDir: string
  /** Folder for the persistent hash cache (the tracker's home); created when missing. */
  cacheDir: string
  /**
   * Which files (paths relative to the library, POSIX separators) the catalogue lists; the
   * others are not hashed nor served. {@link isMediaPath} keeps media only.
   *
   * @default every file
   */
  include?: (path: string) => boolean
  /**
   * Watch the folder and rescan periodically while started.
   *
   * @default true
   */
  watch?: boolean
  /**
   * Debounce for watcher-triggered rescans, in ms.
   *
   * @default 300
   */
  debounceMs?: number
  /**
   * Fallback periodic rescan interval in ms (fs.watch can miss events); 0 turns it off.
   *
   * @default 30000
   */
  pollIntervalMs?: number
  /**
   * Logger factory (component `mediaswarm:tracker:catalogue`).
   *
   * @default defaultLogger() from `@libp2p/logger`
   */
  logger?: ComponentLogger
}

/** Counts since `start()`: files hashed, and files taken from the hash cache instead. */
export interface CatalogueStats {
  hashed: number
  cached: number
}

export { Catalogue } from './catalogue.js'
export { NotStartedError } from './errors.js'
export { toWireItem } from './wire-item.js'
export { isMediaPath, mimeTypeOf } from './mime.js'
export { readCover, MAX_COVER_BYTES } from './metadata.js'
export { entryUnchanged } from './unchanged.js'
export type { Cover } from './metadata.js'
