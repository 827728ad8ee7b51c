/**
 * Named error classes shared by the peer, the tracker and the CLI. Tests and callers check
 * `err.name`; the CLI maps names to plain sentences and exit codes.
 */

/** Options accepted by every error: an optional cause. */
export interface ErrorOptions { cause?: unknown }

/** A remote sent something that breaks the protocol. The stream it came on is aborted. */
export class ProtocolError extends Error {

  constructor (message = 'Protocol violation', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProtocolError'
  }
}

/** A length prefix announced more bytes than the protocol allows for that message. */
export class FrameTooLargeError extends ProtocolError {

  constructor (message = 'Frame exceeds the size limit', options?: ErrorOptions) {
    super(message, options)
    this.name = 'FrameTooLargeError'
  }
}

/** The stream ended before a whole message or the announced bytes arrived. */
export class UnexpectedEndError extends ProtocolError {

  constructor (message = 'Stream ended unexpectedly', options?: ErrorOptions) {
    super(message, options)
    this.name = 'UnexpectedEndError'
  }
}

/** A manifest does not hash to its cid, or is malformed. */
export class InvalidManifestError extends Error {

  constructor (message = 'Invalid manifest', options?: ErrorOptions) {
    super(message, options)
    this.name = 'InvalidManifestError'
  }
}

/** A ticket failed verification: bad signature, wrong issuer, holder, cid, or expired. */
export class InvalidTicketError extends Error {

  readonly reason: string
  constructor (reason: string, options?: ErrorOptions) {
    super(`Invalid ticket: ${reason}`, options)
    this.name = 'InvalidTicketError'
    this.reason = reason
  }
}

/** A piece's bytes do not match the manifest's hash. */
export class BadPieceError extends ProtocolError {

  constructor (message = 'Piece failed hash verification', options?: ErrorOptions) {
    super(message, options)
    this.name = 'BadPieceError'
  }
}

/** No catalogue item matches the name or cid asked for. */
export class NotFoundError extends Error {

  constructor (message = 'Not found', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NotFoundError'
  }
}

/** The tracker refused a queue request (queue full, per-peer limit, unknown cid …). */
export class QueueRefusedError extends Error {

  readonly refusal: string
  readonly retryAfterMs: number
  constructor (refusal: string, message: string, retryAfterMs = 0, options?: ErrorOptions) {
    super(message, options)
    this.name = 'QueueRefusedError'
    this.refusal = refusal
    this.retryAfterMs = retryAfterMs
  }
}

/** The tracker could not be reached. */
export class TrackerUnreachableError extends Error {

  constructor (message = 'The tracker could not be reached', options?: ErrorOptions) {
    super(message, options)
    this.name = 'TrackerUnreachableError'
  }
}

/** Every provider of a download failed or was dropped before the file was complete. */
export class NoProvidersError extends Error {

  constructor (message = 'No provider could serve the remaining pieces', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoProvidersError'
  }
}

/** A provider refused to serve (busy, file not here, ticket expired); it may be asked again later. */
export class ProviderRefusedError extends Error {
  constructor (message = 'The provider refused', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProviderRefusedError'
  }
}

/** The file a `get` should be written to already exists with other content. */
export class FileExistsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'FileExistsError'
  }
}
