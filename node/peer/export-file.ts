import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ensureDir } from '../ensure-dir.js'
import { InvalidManifestError } from '../errors.js'
import { pieceLength, pieceOffset, verifyPiece } from '../manifest/index.js'
import { readBytes } from '../store/index.js'
import type { StoredFile } from '../store/index.js'

/**
 * Writes a complete stored file to `path` atomically: a copy under a temporary name beside
 * it, every piece of the copy checked against the manifest, then a rename, so the final
 * name never holds a partial or corrupt file (even if another process sharing the store
 * damaged it).
 */
export async function exportFile (file: StoredFile, path: string): Promise<void> {
  if (!file.complete) throw new Error(`${file.cid} is not complete`)
  await ensureDir(dirname(path))
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.mediaswarm-tmp`)
  try {
    // copy-on-write clone where the file system supports it, else a kernel copy
    await copyFile(file.dataPath, tmp, constants.COPYFILE_FICLONE)
    await verifyCopy(file, tmp)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

async function verifyCopy (file: StoredFile, path: string): Promise<void> {
  const { manifest } = file.info
  const handle = await open(path, 'r')
  try {
    if ((await handle.stat()).size !== manifest.size) throw new InvalidManifestError(`The copy of ${file.cid} has the wrong size`)
    for (let i = 0; i < file.info.pieceCount; i++) {
      const data = await readBytes(handle, pieceOffset(manifest, i), pieceLength(manifest, i))
      if (!verifyPiece(manifest, i, data)) {
        // the store was damaged behind our back: forget the piece so it is fetched again
        file.bitfield.unset(i)
        await file.flush()
        throw new InvalidManifestError(`Piece ${i} of ${file.cid} is damaged in the store; run the download again to repair it`)
      }
    }
  } finally {
    await handle.close()
  }
}
