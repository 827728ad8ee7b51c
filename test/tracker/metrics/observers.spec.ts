import assert from 'node:assert/strict'
import { GrantWatcher } from '../../../tracker/metrics/grant-watcher.js'
import { PeerRates } from '../../../tracker/metrics/peer-rates.js'
import type { Grant } from '../../../tracker/index.js'

describe('tracker per-peer rates', function () {
  it('credits a downloader with its growth and the holders with what the tracker did not serve', function () {
    let now = 1_000_000
    const holdings = new Map<string, Map<string, number>>([['cid1', new Map([['seed', 1000], ['leech', 0]])]])
    let served: Record<string, number> = { cid1: 0 }
    const rates = new PeerRates({ holdings: () => holdings, trackerServed: () => served }, () => now)
    rates.tick()
    assert.deepEqual(rates.of('leech'), { uploadRate: 0, downloadRate: 0 })
    // the leech gets 600 bytes in a second: 200 from the tracker, so 400 from the seed
    for (let i = 0; i < 60; i++) {
      now += 1000
      holdings.get('cid1')?.set('leech', (holdings.get('cid1')?.get('leech') ?? 0) + 600)
      served = { cid1: (served.cid1 ?? 0) + 200 }
      rates.tick()
    }
    const leech = rates.of('leech')
    const seed = rates.of('seed')
    assert.ok(Math.abs(leech.downloadRate - 600) <= 1, `leech downloads ~600 B/s (${leech.downloadRate})`)
    assert.equal(seed.downloadRate, 0)
    // the seed held 1000 and the leech a growing share: the seed gets most of the credit
    assert.ok(seed.uploadRate > 0 && seed.uploadRate <= 400, `seed uploads some of 400 B/s (${seed.uploadRate})`)
    assert.ok(leech.uploadRate + seed.uploadRate <= 401, 'no more upload than peer-sourced growth')
    assert.deepEqual(rates.of('nobody'), { uploadRate: 0, downloadRate: 0 })
  })
})

describe('grant watcher', function () {
  it('reports each new grant\'s wait once and each ended grant\'s hold time', function () {
    let now = 100_000
    const waits: number[] = []
    const holds: number[] = []
    const w = new GrantWatcher({ granted: (ms) => waits.push(ms), grantEnded: (ms) => holds.push(ms) }, () => now)
    const grant = (requestId: string, arrivedAt: number, grantedAt: number): Grant => ({ peerId: 'p', requestId, cid: 'c', arrivedAt, seq: 1, grantedAt, expiresAt: grantedAt + 60_000 })
    const a = grant('a', 90_000, 95_000)
    const b = grant('b', 91_000, 99_000)
    w.update([a])
    w.update([a])
    w.update([a, b])
    assert.deepEqual(waits, [5000, 8000])
    now = 120_000
    w.update([b])
    assert.deepEqual(holds, [25_000])
    w.update([])
    assert.deepEqual(holds, [25_000, 21_000])
  })
})
