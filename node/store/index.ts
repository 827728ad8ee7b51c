export { Bitfield } from './bitfield.js'
export { PieceStore, StoredFile, readBytes } from './piece-store.js'
export type { PieceStoreInit, PieceListener } from './piece-store.js'
