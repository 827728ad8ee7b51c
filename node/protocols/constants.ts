/** Every mediaswarm protocol id is `/${PROTOCOL_PREFIX}/${name}/${version}`. */
export const PROTOCOL_PREFIX = 'mediaswarm'

function protocolId (name: string, version = '1.0.0'): string {
  return `/${PROTOCOL_PREFIX}/${name}/${version}`
}

export const CATALOGUE_PROTOCOL = protocolId('catalogue')
export const QUEUE_PROTOCOL = protocolId('queue')
export const TRANSFER_PROTOCOL = protocolId('transfer')
export const ANNOUNCE_PROTOCOL = protocolId('announce')

/** Largest request frame on any control protocol. */
export const MAX_REQUEST_BYTES = 64 * 1024
/** Largest catalogue response frame (a page of items, or a manifest). */
export const MAX_CATALOGUE_RESPONSE_BYTES = 8 * 1024 * 1024
/** Largest queue update frame (carries a ticket). */
export const MAX_QUEUE_UPDATE_BYTES = 32 * 1024
/** Largest transfer control frame (a bitfield of up to 2^20 pieces fits). */
export const MAX_TRANSFER_FRAME_BYTES = 160 * 1024
/** Largest piece a provider may announce. */
export const MAX_PIECE_BYTES = 64 * 1024 * 1024

/** How long a remote may take to send the first message of a stream. */
export const FIRST_MESSAGE_TIMEOUT_MS = 10_000
/** How long a request/response exchange may take. */
export const RESPONSE_TIMEOUT_MS = 30_000
/** How long a transfer stream may sit idle (no request from the downloader). */
export const TRANSFER_IDLE_TIMEOUT_MS = 60_000
/** How long a downloader waits for a requested piece to start arriving before it drops the provider. */
export const PIECE_TIMEOUT_MS = 20_000
/** Items per catalogue page, at most. */
export const MAX_PAGE_ITEMS = 500
