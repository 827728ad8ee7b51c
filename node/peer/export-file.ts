import { constants } from 'node:fs'
import { copyFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ensureDir } from '../ensure-dir.js'
import type { StoredFile } from '../store/index.js'

/**
 * Writes a complete stored file to `path` atomically: a temporary file beside it, then a
 * rename, so the final name never holds a partial file.
 */
export async function exportFile (file: StoredFile, path: string): Promise<void> {
  if (!file.complete) throw new Error(`${file.cid} is not complete`)
  await ensureDir(dirname(path))
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.mediaswarm-tmp`)
  try {
    // copy-on-write clone where the file system supports it, else a kernel copy
    await copyFile(file.dataPath, tmp, constants.COPYFILE_FICLONE)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
