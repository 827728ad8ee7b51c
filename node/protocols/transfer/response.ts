import type { TransferResponse } from './pb/transfer.js'

/** A TransferResponse with every unset field at its default. */
export function response (fields: Partial<TransferResponse> & Pick<TransferResponse, 'type'>): TransferResponse {
  return { bitfield: new Uint8Array(0), pieceCount: 0, index: 0, length: 0, message: '', haves: [], ...fields }
}
