/** Time constant of the rates' moving average: renewals come every few seconds. */
export const PEER_RATE_TAU_MS = 10_000
/** Peers whose rates are kept, at most (the tracker's connection limit is below). */
const MAX_PEERS = 20_000

/** What {@link PeerRates} reads each tick. */
export interface PeerRatesSource {
  /** Files with holders, and for each the holders' held bytes (from their announced bitfields). */
  holdings: () => Map<string, Map<string, number>>
  /** Bytes the tracker served of each file since start. */
  trackerServed: () => Record<string, number>
}

interface Rate { up: number, down: number, seenAt: number }

/**
 * Per-peer upload and download rates as the tracker can estimate them from what peers
 * announce: a peer's download rate is how fast its held bytes grow (from any source); for
 * each file, growth the tracker did not serve came from peers, and is credited to that
 * file's holders as upload in proportion to what each held before. The tracker never sees
 * peer-to-peer traffic, so the upload split is an estimate. Exponential moving averages with
 * a 10 s time constant smooth the steps of periodic announcements. Cost per tick: O(holdings).
 */
export class PeerRates {
  readonly #source: PeerRatesSource
  readonly #now: () => number
  /** `${cid} ${peer}` -> held bytes at the last tick. */
  #held = new Map<string, number>()
  #served: Record<string, number> = {}
  #lastAt = 0
  readonly #rates = new Map<string, Rate>()

  constructor (source: PeerRatesSource, now: () => number = Date.now) {
    this.#source = source
    this.#now = now
  }

  /** Takes one measurement (the history sampler calls it every second). */
  tick (): void {
    const now = this.#now()
    const dt = now - this.#lastAt
    const first = this.#lastAt === 0
    this.#lastAt = now
    const holdings = this.#source.holdings()
    const served = this.#source.trackerServed()
    const held = new Map<string, number>()
    const down = new Map<string, number>()
    const up = new Map<string, number>()
    for (const [cid, peers] of holdings) {
      let growth = 0
      let before = 0
      for (const [peer, bytes] of peers) {
        held.set(`${cid} ${peer}`, bytes)
        const prev = this.#held.get(`${cid} ${peer}`)
        if (prev == null) continue
        before += prev
        const d = Math.max(0, bytes - prev)
        growth += d
        if (d > 0) down.set(peer, (down.get(peer) ?? 0) + d)
      }
      const fromPeers = Math.max(0, growth - Math.max(0, (served[cid] ?? 0) - (this.#served[cid] ?? 0)))
      if (fromPeers === 0 || before === 0) continue
      for (const [peer] of peers) {
        const prev = this.#held.get(`${cid} ${peer}`) ?? 0
        if (prev > 0) up.set(peer, (up.get(peer) ?? 0) + fromPeers * prev / before)
      }
    }
    this.#held = held
    this.#served = served
    if (first || dt <= 0) return
    const keep = Math.exp(-dt / PEER_RATE_TAU_MS)
    const peers = new Set([...this.#rates.keys(), ...down.keys(), ...up.keys()])
    for (const peer of peers) {
      const r = this.#rates.get(peer) ?? { up: 0, down: 0, seenAt: now }
      r.up = r.up * keep + (1000 * (up.get(peer) ?? 0) / dt) * (1 - keep)
      r.down = r.down * keep + (1000 * (down.get(peer) ?? 0) / dt) * (1 - keep)
      if (up.has(peer) || down.has(peer)) r.seenAt = now
      // a peer idle for a minute is forgotten (its rates are ~0 by then)
      if (now - r.seenAt > 6 * PEER_RATE_TAU_MS) this.#rates.delete(peer)
      else this.#rates.set(peer, r)
    }
    while (this.#rates.size > MAX_PEERS) {
      const [oldest] = this.#rates.keys()
      this.#rates.delete(oldest)
    }
  }

  /** A peer's rates in bytes per second (0 when unknown). */
  of (peer: string): { uploadRate: number, downloadRate: number } {
    const r = this.#rates.get(peer)
    return { uploadRate: Math.round(r?.up ?? 0), downloadRate: Math.round(r?.down ?? 0) }
  }
}
