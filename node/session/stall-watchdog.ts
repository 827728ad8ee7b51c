import { ProviderStalledError } from './errors.js'
import type { PiecePicker } from './piece-picker.js'
import type { ProviderState } from './provider-state.js'
import type { Logger } from '@libp2p/interface'

/**
 * Aborts (as stalled) every provider that owes a piece for longer than the piece timeout;
 * one the watchdog already found weak gets two stall times at most. Returns true when any
 * provider is connected.
 */
export function abortStalled (providers: Iterable<ProviderState>, now: number, pieceTimeoutMs: number, stallMs: number): boolean {
  let connected = false
  for (const p of providers) {
    if (p.connected) connected = true
    const limit = p.weak ? Math.min(pieceTimeoutMs, 2 * stallMs) : pieceTimeoutMs
    if (p.waiting && now - p.lastProgress > limit) {
      p.abort.abort(new ProviderStalledError(`Provider stalled ${p.inPiece ? 'inside' : 'before'} a piece for ${now - p.lastProgress} ms`))
    }
  }
  return connected
}

/**
 * The providers (the fallback excepted) that owe pieces and delivered nothing for the stall
 * time, not yet weak: the session marks them weak and hands their requests to others.
 */
export function newlyWeak (providers: Iterable<ProviderState>, now: number, stallMs: number, isFallback: (id: string) => boolean): ProviderState[] {
  const out: ProviderState[] = []
  for (const p of providers) {
    if (!isFallback(p.id) && !p.weak && p.waiting && now - p.lastProgress > stallMs) out.push(p)
  }
  return out
}

/**
 * Marks providers found delivering nothing (see {@link newlyWeak}) weak and takes their
 * requests back: released in the picker, remembered as cancelled (the pieces may still
 * come); `cancel` gets each one's requests, for one CANCEL on the wire.
 */
export function weaken (weak: ProviderState[], picker: PiecePicker, now: number, log: Logger, cancel: (p: ProviderState, pieces: number[]) => void): void {
  for (const p of weak) {
    log('provider %s delivered nothing for %d ms; its %d requests go elsewhere', p.id, now - p.lastProgress, p.inflight.length)
    p.weak = true
    if (p.inflight.length === 0) continue
    for (const i of p.inflight) {
      picker.release(i, p.id)
      p.cancelled.add(i)
    }
    cancel(p, p.inflight)
    p.inflight = []
  }
}
