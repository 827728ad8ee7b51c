import { BadPieceError, ProtocolError } from '../errors.js'
import type { ErrorOptions } from '../errors.js'

/** Why a provider was banned from a download (the `reason` of an announce REPORT). */
export type BanReason = 'bad-piece' | 'stalled' | 'lied' | 'protocol'

/** A provider had requests in flight and delivered nothing for too long (before or inside a piece). */
export class ProviderStalledError extends ProtocolError {
  constructor (message = 'Provider stalled', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProviderStalledError'
  }
}

/** A provider contradicted itself: "not here" for pieces it claimed, or pieces nobody asked for. */
export class ProviderLiedError extends ProtocolError {
  constructor (message = 'Provider lied about what it holds', options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProviderLiedError'
  }
}

/** The ban reason of an error that ended a provider's stream, or undefined when it is no reason to ban. */
export function banReason (err: Error): BanReason | undefined {
  if (err instanceof BadPieceError) return 'bad-piece'
  if (err instanceof ProviderStalledError) return 'stalled'
  if (err instanceof ProviderLiedError) return 'lied'
  if (err instanceof ProtocolError) return 'protocol'
  return undefined
}
