import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ensureDir } from '../ensure-dir.js'
import { pieceOffset } from '../manifest/index.js'
import { StoreRepairError, StoredFileDamagedError, writeAll } from '../store/index.js'
import { syncDir, tempPathBeside } from '../write-atomic.js'
import type { StoredFile } from '../store/index.js'

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
  /** True when the data was renamed into place (a download in place), not copied. */
  inPlace: boolean
}

/**
 * Puts a stored file at `path`, complete and verified, atomically (the final name never holds
 * a partial or corrupt file). A download in place (see PieceStore.open's `saveAs`) is renamed
 * there: only pieces this process has not verified yet (a resumed download) are hashed, so a
 * download verified as it arrived is not read again. Otherwise the data is copied under a
 * temporary name beside `path`, each piece checked on the way (hashed unless verified since
 * the store opened it), flushed and renamed. Either way every damaged piece is found in one
 * pass, dropped from the store, fetched again through `options.refetch` and put in place, all
 * in the same call.
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
  if (file.target != null || file.dataPath === path) {
    for (let round = 0; ; round++) {
      const bad = await file.verify(allPieces(file))
      if (bad.length === 0 && file.complete) break
      if (round === MAX_REPAIR_ROUNDS) throw new StoredFileDamagedError(bad, `${bad.length} pieces of ${file.cid} were damaged again after being fetched ${round} times`)
      await repair(missingPieces(file))
    }
    if (await file.place(path)) return { refetched: refetched.size, inPlace: true }
  }
  await copyOut(file, path, repair)
  return { refetched: refetched.size, inPlace: false }
}

/** Copies the stored data to `path` through a temporary file, piece by piece, repairing what fails. */
async function copyOut (file: StoredFile, path: string, repair: (pieces: number[]) => Promise<void>): Promise<void> {
  const tmp = tempPathBeside(path, 'mediaswarm-tmp')
  try {
    const out = await open(tmp, 'wx')
    try {
      let pending = allPieces(file)
      for (let round = 0; pending.length > 0; round++) {
        const bad: number[] = []
        for (const i of pending) {
          const data = await file.checkPiece(i)
          if (data == null) bad.push(i)
          else await writeAll(out, [data], pieceOffset(file.info.manifest, i))
        }
        if (bad.length === 0) break
        // the store was damaged behind our back: forget those pieces, fetch them again
        await file.drop(bad)
        if (round === MAX_REPAIR_ROUNDS) throw new StoredFileDamagedError(bad, `${bad.length} pieces of ${file.cid} were damaged again after being fetched ${round} times`)
        await repair(bad)
        pending = bad
      }
      await out.datasync()
    } finally {
      await out.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await syncDir(dirname(path))
}

function allPieces (file: StoredFile): number[] {
  return Array.from({ length: file.info.pieceCount }, (_, i) => i)
}

function missingPieces (file: StoredFile): number[] {
  return allPieces(file).filter(i => !file.has(i))
}
