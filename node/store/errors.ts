/**
 * Named errors of the piece store. Callers check `err.name` (or `instanceof`).
 */

import type { ErrorOptions } from '../errors.js'

/** A piece asked for is not held (never stored, or dropped since). The transfer server answers "not here". */
export class PieceNotStoredError extends Error {
  constructor (message = 'Piece is not stored', options?: ErrorOptions) {
    super(message, options)
    this.name = 'PieceNotStoredError'
  }
}

/**
 * A stored piece failed its hash when read back from disk (the disk, the user or another
 * program changed it): it was dropped from the bitfield, so it is fetched again.
 */
export class PieceDamagedError extends PieceNotStoredError {
  readonly index: number
  constructor (index: number, message = `Stored piece ${index} is damaged; it was dropped`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PieceDamagedError'
    this.index = index
  }
}

/** An export found damaged pieces and was given no way to fetch them again. */
export class StoredFileDamagedError extends Error {
  /** The pieces dropped. */
  readonly pieces: number[]
  constructor (pieces: number[], message = `${pieces.length} stored pieces are damaged; they were dropped and will be fetched again`, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoredFileDamagedError'
    this.pieces = pieces
  }
}

/** Fetching the damaged or missing pieces of an export again failed; `cause` says why. */
export class StoreRepairError extends Error {
  constructor (message = 'Could not fetch the damaged pieces again', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreRepairError'
  }
}
