import { stat } from 'node:fs/promises'
import type { CatalogueEntry } from './index.js'

/**
 * Whether a library file still has the size and mtime it had when hashed: a file changed
 * since is not what its cid names, and is not served until a rescan hashes it again.
 */
export async function entryUnchanged (entry: Pick<CatalogueEntry, 'absolutePath' | 'size' | 'mtimeMs'>): Promise<boolean> {
  try {
    const s = await stat(entry.absolutePath)
    return s.size === entry.size && s.mtimeMs === entry.mtimeMs
  } catch {
    return false
  }
}
