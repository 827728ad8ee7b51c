import { MIN_PIPELINE } from './provider-state.js'
import type { ProviderState } from './provider-state.js'

/** What {@link preemptForUrgent} asks of the session. */
export interface PreemptContext {
  /** The piece is stored. */
  has: (index: number) => boolean
  /** The piece is requested from some provider. */
  asked: (index: number) => boolean
  /** The provider's bitfield holds the piece. */
  holds: (p: ProviderState, index: number) => boolean
  /** Takes a request back from a provider (a CANCEL on the wire). */
  cancel: (p: ProviderState, index: number) => void
}

/**
 * A reader waits on pieces nobody was asked for (a seek): at each provider holding one, the
 * background requests queued behind its first MIN_PIPELINE are cancelled, so the urgent
 * pieces go next instead of after a pipeline sized for throughput. Requests for urgent
 * pieces are kept. A cancelled piece that was already on its way is still accepted.
 */
export function preemptForUrgent (urgent: number[], providers: Iterable<ProviderState>, ctx: PreemptContext): void {
  const waiting = urgent.filter(i => !ctx.has(i) && !ctx.asked(i))
  if (waiting.length === 0) return
  const isUrgent = new Set(urgent)
  for (const p of providers) {
    if (!waiting.some(i => ctx.holds(p, i))) continue
    for (const index of p.inflight.slice(MIN_PIPELINE).filter(i => !isUrgent.has(i))) ctx.cancel(p, index)
  }
}

/**
 * The pieces in flight at a provider (`inflight`) that are urgent `now` and were not
 * `before` a reader's focus moved, most urgent first: the provider was asked for them as
 * background pieces and must now be told a reader waits on them (TransferRequest.urgent),
 * or it serves them whenever their turn comes.
 */
export function newlyUrgent (inflight: readonly number[], before: ReadonlySet<number>, now: readonly number[]): number[] {
  return now.filter(i => !before.has(i) && inflight.includes(i))
}
