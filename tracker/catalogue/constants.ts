/** Logger component name of the catalogue. */
export const COMPONENT = 'mediaswarm:tracker:catalogue'

/** Wait this long after the last watcher event before rescanning. */
export const DEFAULT_DEBOUNCE_MS = 300

/** Fallback full rescan period (fs.watch can miss events, e.g. on network mounts). */
export const DEFAULT_POLL_INTERVAL_MS = 30_000

/**
 * A file modified less than this long ago may still be being written: watcher- and
 * poll-triggered scans leave it for a later scan instead of publishing it half-written.
 */
export const SETTLE_MS = 1000

/** The hash cache's index file inside the cache folder. */
export const INDEX_FILE = 'catalogue.json'

/** Bumped when the index's shape changes; an index of another version is ignored. */
export const INDEX_VERSION = 1

/** Folder inside the cache folder holding one manifest encoding per cid. */
export const MANIFESTS_DIR = 'manifests'

/** Manifest encodings kept in memory (the rest are read from disk on demand). */
export const MANIFEST_MEMORY_CACHE = 16

/** During a long scan, persist the index at least this often so a crash loses little work. */
export const SAVE_INTERVAL_MS = 10_000

/** Longest tag string kept (title, artist, album); longer ones are cut. */
export const MAX_TAG_LENGTH = 512

/** Most codec names kept per item (the wire format's limit). */
export const MAX_CODECS = 8
