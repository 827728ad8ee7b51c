import { constants } from 'node:fs'
import { copyFile, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ensureDir } from '../ensure-dir.js'
import { InvalidManifestError } from '../errors.js'
import { pieceLength, pieceOffset, verifyPiece } from '../manifest/index.js'
import { StoreRepairError, StoredFileDamagedError, readBytes, writeAll } from '../store/index.js'
import { syncDir, tempPathBeside } from '../write-atomic.js'
import type { StoredFile } from '../store/index.js'
import type { FileHandle } from 'node:fs/promises'

/** Repairs tried before an export gives up on a store that keeps damaging what it fetches. */
const MAX_REPAIR_ROUNDS = 3

/** Options of {@link exportFile}. */
export interface ExportFileOptions {
  /**
   * Fetches the listed pieces again (missing, or dropped as damaged) and resolves once the
   * stored file is complete. Without it, a damaged store makes the export fail with
   * StoredFileDamagedError (the damaged pieces are dropped, so the next download fetches them).
   */
  refetch?: (pieces: number[]) => Promise<void>
}

/** What an export did. */
export interface ExportResult {
  /** Pieces fetched again because the stored copy was missing or damaged. */
  refetched: number
}

/**
 * Writes a complete stored file to `path` atomically: a copy under a temporary name beside
 * it, every piece of the copy checked against the manifest in one pass, then a flush and a
 * rename, so the final name never holds a partial or corrupt file. Pieces found damaged are
 * dropped from the store, fetched again through `options.refetch` and patched into the copy,
 * all in the same call.
 */
export async function exportFile (file: StoredFile, path: string, options: ExportFileOptions = {}): Promise<ExportResult> {
  const refetched = new Set<number>()
  const repair = async (pieces: number[]): Promise<void> => {
    if (options.refetch == null) throw new StoredFileDamagedError(pieces, `${pieces.length} pieces of ${file.cid} are missing or damaged in the store; they were dropped and will be fetched again`)
    try {
      await options.refetch(pieces)
    } catch (err) {
      throw new StoreRepairError(`Could not fetch ${pieces.length} damaged pieces of ${file.cid} again`, { cause: err })
    }
    if (!file.complete) throw new StoreRepairError(`${file.cid} is still incomplete after fetching its damaged pieces again`)
    for (const i of pieces) refetched.add(i)
  }
  if (!file.complete) await repair(missingPieces(file))
  await ensureDir(dirname(path))
  const tmp = tempPathBeside(path, 'mediaswarm-tmp')
  try {
    // copy-on-write clone where the file system supports it, else a kernel copy
    await copyFile(file.dataPath, tmp, constants.COPYFILE_FICLONE)
    const handle = await open(tmp, 'r+')
    try {
      if ((await handle.stat()).size !== file.info.manifest.size) throw new InvalidManifestError(`The copy of ${file.cid} has the wrong size`)
      let bad = await damagedPieces(file, handle, allPieces(file))
      for (let round = 0; bad.length > 0; round++) {
        // the store was damaged behind our back: forget those pieces, fetch them again,
        // and patch them into the copy
        await file.drop(bad)
        if (round === MAX_REPAIR_ROUNDS) throw new StoredFileDamagedError(bad, `${bad.length} pieces of ${file.cid} were damaged again after being fetched ${round} times`)
        await repair(bad)
        for (const i of bad) await writeAll(handle, [await file.readPiece(i)], pieceOffset(file.info.manifest, i))
        bad = await damagedPieces(file, handle, bad)
      }
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await syncDir(dirname(path))
  return { refetched: refetched.size }
}

/** The pieces among `indexes` whose bytes in `handle` (a copy of the file) fail their hash. */
async function damagedPieces (file: StoredFile, handle: FileHandle, indexes: number[]): Promise<number[]> {
  const { manifest } = file.info
  const bad: number[] = []
  for (const i of indexes) {
    if (!verifyPiece(manifest, i, await readBytes(handle, pieceOffset(manifest, i), pieceLength(manifest, i)))) bad.push(i)
  }
  return bad
}

function allPieces (file: StoredFile): number[] {
  return Array.from({ length: file.info.pieceCount }, (_, i) => i)
}

function missingPieces (file: StoredFile): number[] {
  return allPieces(file).filter(i => !file.has(i))
}
