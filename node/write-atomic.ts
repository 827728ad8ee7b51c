import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Writes `data` to a temporary file beside `path`, then renames it over `path`: readers see
 * the old or the new content, never a partial one. The temporary name is unique (two
 * processes may share a home) and starts with a dot (library scans skip it).
 */
export async function writeFileAtomic (path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, data)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
