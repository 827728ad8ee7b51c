import { randomBytes } from 'node:crypto'
import { link, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Longest file name (in bytes) the common file systems accept (ext4, xfs, btrfs, tmpfs, APFS). */
export const MAX_NAME_BYTES = 255

/**
 * A unique temporary name beside `path` (two processes may share a folder), starting with a
 * dot (library scans skip it) and never longer than {@link MAX_NAME_BYTES}: a long final name
 * is shortened, on a character boundary, so that any name the file system accepts can be
 * written through a temporary one.
 */
export function tempPathBeside (path: string, tag = 'tmp'): string {
  const suffix = `.${randomBytes(6).toString('hex')}.${tag}`
  const room = MAX_NAME_BYTES - 1 - Buffer.byteLength(suffix)
  let name = basename(path)
  while (Buffer.byteLength(name) > room) name = name.slice(0, name.length - 1)
  // a lone high surrogate left by the cut would be written as U+FFFD: drop it
  if (/[\uD800-\uDBFF]$/.test(name)) name = name.slice(0, -1)
  return join(dirname(path), `.${name}${suffix}`)
}

/**
 * Flushes a folder's entries (a rename or a new link in it) to the device. File systems
 * that cannot sync a folder (some network and Windows ones) are left as they are.
 */
export async function syncDir (dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF' && code !== 'EACCES') throw err
  } finally {
    await handle?.close()
  }
}

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Mode of the new file. @default 0o666 (less the umask) */
  mode?: number
  /**
   * Never replace an existing file: the temporary file is hard-linked into place and the
   * call rejects with EEXIST when `path` exists (two racing writers agree on one content).
   * @default false
   */
  exclusive?: boolean
  /**
   * Flush the file and its folder to the device. `false` for state whose loss to a power cut
   * costs little: the replacement stays atomic for readers and across a crash of the process
   * (the page cache outlives it), without waiting for the disk. @default true
   */
  sync?: boolean
}

/**
 * Writes `data` to a temporary file beside `path`, flushes it to the device, renames it over
 * `path` (or links it, see `exclusive`) and flushes the folder: readers see the old or the new
 * content, never a partial one, and after a crash or a power cut the new content is either
 * complete or absent.
 */
export async function writeFileAtomic (path: string, data: string | Uint8Array, options: WriteFileAtomicOptions = {}): Promise<void> {
  const temp = tempPathBeside(path)
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o666)
    try {
      await handle.writeFile(data)
      if (options.sync !== false) await handle.datasync()
    } finally {
      await handle.close()
    }
    if (options.exclusive === true) {
      await link(temp, path)
      await rm(temp, { force: true })
    } else {
      await rename(temp, path)
    }
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  if (options.sync !== false) await syncDir(dirname(path))
}
