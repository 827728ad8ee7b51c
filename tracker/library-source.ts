import { open, stat } from 'node:fs/promises'
import { Bitfield, pieceLength, pieceOffset, readBytes } from '../node/index.js'
import type { Catalogue, CatalogueEntry } from './catalogue/index.js'
import type { PieceSource, ServableFile } from '../node/index.js'
import type { FileHandle } from 'node:fs/promises'

/**
 * Serves library files straight from the media folder. A file that changed on disk since
 * it was hashed is not served (its pieces would not match the manifest peers verify
 * against); the catalogue is asked to rescan instead.
 */
export class LibrarySource implements PieceSource {
  readonly #catalogue: Catalogue

  constructor (catalogue: Catalogue) {
    this.#catalogue = catalogue
  }

  async lookup (cid: string): Promise<ServableFile | undefined> {
    const entry = this.#catalogue.get(cid)
    if (entry == null) return undefined
    if (!(await unchanged(entry))) {
      void this.#catalogue.rescan().catch(() => {})
      return undefined
    }
    const geometry = { size: entry.size, pieceSize: entry.pieceSize }
    let handle: Promise<FileHandle> | undefined
    return {
      pieceCount: entry.pieceCount,
      bitfield: Bitfield.full(entry.pieceCount),
      readPiece: async (index) => {
        handle ??= open(entry.absolutePath, 'r')
        return readBytes(await handle, pieceOffset(geometry, index), pieceLength(geometry, index))
      },
      close: async () => { await (await handle?.catch(() => undefined))?.close() }
    }
  }
}

async function unchanged (entry: CatalogueEntry): Promise<boolean> {
  try {
    const s = await stat(entry.absolutePath)
    return s.size === entry.size && s.mtimeMs === entry.mtimeMs
  } catch {
    return false
  }
}
