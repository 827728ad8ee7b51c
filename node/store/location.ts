import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { StoreFileSystem } from './store-fs.js'

/** Name of the location record in a stored file's folder. */
export const LOCATION_FILE = 'location'

/**
 * Where a stored file's data lies when it is not in the store's own `data` file: a download
 * written in place, beside its destination. While it downloads, `path` is a temporary name
 * and `target` the final one; once complete and renamed, `path` is the final name and the
 * size, mtime and inode it had when we last wrote it tell whether the user changed it since.
 */
export interface DataLocation {
  path: string
  /** The final name, while the data still lies under a temporary one. */
  target?: string
  size?: number
  mtimeMs?: number
  ino?: number
}

/** How a placed file looks on disk now. */
export interface FileLook { size: number, mtimeMs: number, ino: number }

/** Reads the location record of a stored file's folder; undefined when its data is in the store. */
export async function readLocation (dir: string): Promise<DataLocation | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, LOCATION_FILE), 'utf8')
  } catch {
    return undefined
  }
  try {
    const loc = JSON.parse(text) as DataLocation
    return typeof loc.path === 'string' ? loc : undefined
  } catch {
    return undefined
  }
}

/** Writes (or with undefined, removes) the location record. */
export async function writeLocation (fs: StoreFileSystem, dir: string, loc: DataLocation | undefined): Promise<void> {
  const path = join(dir, LOCATION_FILE)
  if (loc == null) await rm(path, { force: true })
  else await fs.writeFileAtomic(path, Buffer.from(JSON.stringify(loc)))
}

/** Size, mtime and inode of `path`; undefined when it is gone. */
export async function lookOf (path: string): Promise<FileLook | undefined> {
  try {
    const s = await stat(path)
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino } : undefined
  } catch {
    return undefined
  }
}

/**
 * True when a placed file still looks as it did when we last wrote it (not moved, replaced or
 * changed). Mtimes match within a millisecond: a time restored through utimes (a backup tool,
 * `cp -p`) comes back with a rounding error in its last digits.
 */
export function looksUnchanged (loc: DataLocation, look: FileLook | undefined): boolean {
  return look != null && look.size === loc.size && look.ino === loc.ino && loc.mtimeMs != null && Math.abs(look.mtimeMs - loc.mtimeMs) < 1
}
