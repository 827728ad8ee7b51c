import { ProtocolError } from '../../errors.js'
import type { ErrorOptions } from '../../errors.js'

/** A downloader stopped taking data: a write made no progress within the stall timeout. */
export class SendStalledError extends ProtocolError {
  constructor (message = 'The downloader stopped reading', options?: ErrorOptions) {
    super(message, options)
    this.name = 'SendStalledError'
  }
}

/** A transfer stream saw neither a request nor a piece sent for the idle timeout. */
export class StreamIdleError extends ProtocolError {
  constructor (message = 'The transfer stream was idle too long', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StreamIdleError'
  }
}

/** A newer stream presented the same ticket; the older stream is ended. */
export class StreamReplacedError extends Error {
  constructor (message = 'Replaced by a newer stream with the same ticket', options?: ErrorOptions) {
    super(message, options)
    this.name = 'StreamReplacedError'
  }
}

/** The ticket a stream is served under expired. */
export class TicketExpiredError extends ProtocolError {
  constructor (message = 'Ticket expired', options?: ErrorOptions) {
    super(message, options)
    this.name = 'TicketExpiredError'
  }
}
