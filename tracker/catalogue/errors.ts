/** `rescan()` was called on a catalogue that is not started. */
export class NotStartedError extends Error {
  constructor (message = 'The catalogue is not started', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NotStartedError'
  }
}
