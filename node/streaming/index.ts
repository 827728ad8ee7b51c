export { readRange, waitForPiece } from './range-reader.js'
export type { ReadRangeOptions } from './range-reader.js'
