import { ProviderStalledError } from './errors.js'
import type { ProviderState } from './provider-state.js'

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
