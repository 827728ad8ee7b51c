import assert from 'node:assert/strict'
import { Bitfield } from '../../../node/index.js'
import { ProviderIndex, holdingBits } from '../../../tracker/providers/index.js'

const full = (n: number): Bitfield => Bitfield.full(n)

describe('tracker/providers ProviderIndex', () => {
  let now = 1_000_000
  const make = (): ProviderIndex => new ProviderIndex({ reportQuorum: 3, reportTtlMs: 60_000, now: () => now })

  it('records holdings only of peers granted that cid', () => {
    const index = make()
    assert.equal(index.have('fake', 'c1', full(8)), false)
    assert.deepEqual(index.providers('c1'), [])
    index.granted('seeder', 'c1')
    assert.equal(index.have('seeder', 'c1', full(8)), true)
    assert.equal(index.have('seeder', 'c2', full(8)), false, 'a grant is per file')
    assert.deepEqual(index.providers('c1').map(p => p.peer), ['seeder'])
  })

  it('lists complete holders first, leaves out the asker, and caps the list', () => {
    const index = make()
    for (const p of ['a', 'b', 'c', 'd']) index.granted(p, 'c1')
    const half = new Bitfield(8)
    half.set(1)
    index.have('a', 'c1', half)
    index.have('b', 'c1', full(8))
    index.have('c', 'c1', full(8))
    index.have('d', 'c1', half)
    assert.deepEqual(index.providers('c1').map(p => p.peer), ['b', 'c', 'a', 'd'])
    assert.deepEqual(index.providers('c1', 'b').map(p => p.peer), ['c', 'a', 'd'])
    assert.deepEqual(index.providers('c1', undefined, 3).map(p => p.peer), ['b', 'c', 'a'])
  })

  it('keeps one clamped bitfield whatever the ranges say', () => {
    const ranges = Array.from({ length: 4096 }, (_, i) => ({ start: i % 3, end: 1_000_000 + i }))
    const bits = holdingBits({ complete: false, ranges, bitfield: new Uint8Array(0) }, 13)
    assert.equal(bits.size, 13)
    assert.equal(bits.count, 13)
    assert.equal(bits.bytes.byteLength, 2)
    const exact = holdingBits({ complete: true, ranges, bitfield: Uint8Array.from([0b1010_0000, 0xff, 0xff, 0xff]) }, 10)
    assert.deepEqual([...Array(10).keys()].filter(i => exact.has(i)), [0, 2, 8, 9], 'the exact bitfield wins, bits past the end dropped')
    assert.equal(holdingBits({ complete: false, ranges: [{ start: 5, end: 3 }, { start: 20, end: 30 }], bitfield: new Uint8Array(0) }, 13).count, 0)
  })

  describe('reports', () => {
    it('a reporter without a grant for the file is ignored; a report excludes the provider from the reporter\'s tickets at once', () => {
      const index = make()
      index.granted('seeder', 'c1')
      index.have('seeder', 'c1', full(4))
      assert.equal(index.report('stranger', 'seeder', 'c1'), 'ignored')
      index.granted('r1', 'c1')
      assert.equal(index.report('r1', 'r1', 'c1'), 'ignored', 'not about itself')
      assert.equal(index.report('r1', 'seeder', 'c1'), 'excluded')
      assert.deepEqual(index.providers('c1', 'r1'), [], 'gone from the reporter\'s tickets')
      assert.deepEqual(index.providers('c1', 'other').map(p => p.peer), ['seeder'], 'still named to everyone else')
      now += 61_000
      assert.deepEqual(index.providers('c1', 'r1').map(p => p.peer), ['seeder'], 'named again after the report expired')
    })

    it('one reporter repeating itself is one reporter; a quorum of distinct reporters takes the provider out of every ticket for a while', () => {
      const index = make()
      index.granted('seeder', 'c1')
      index.have('seeder', 'c1', full(4))
      for (const r of ['r1', 'r2', 'r3']) index.granted(r, 'c1')
      for (let i = 0; i < 10; i++) assert.equal(index.report('r1', 'seeder', 'c1'), 'excluded')
      assert.equal(index.report('r2', 'seeder', 'c1'), 'excluded')
      assert.deepEqual(index.providers('c1', 'newcomer').map(p => p.peer), ['seeder'])
      assert.equal(index.report('r3', 'seeder', 'c1'), 'banned')
      assert.deepEqual(index.providers('c1', 'newcomer'), [])
      now += 61_000
      assert.deepEqual(index.providers('c1', 'newcomer').map(p => p.peer), ['seeder'])
    })

    it('reports older than the ttl do not add up to a quorum', () => {
      const index = make()
      index.granted('seeder', 'c1')
      index.have('seeder', 'c1', full(4))
      for (const r of ['r1', 'r2', 'r3']) index.granted(r, 'c1')
      index.report('r1', 'seeder', 'c1')
      now += 40_000
      index.report('r2', 'seeder', 'c1')
      now += 40_000
      assert.equal(index.report('r3', 'seeder', 'c1'), 'excluded', 'r1\'s report is 80 s old')
    })
  })

  it('bounds the grant records and restores them', () => {
    const index = new ProviderIndex({ maxGrantRecords: 3 })
    for (const p of ['a', 'b', 'c', 'd']) index.granted(p, 'c1')
    assert.equal(index.wasGranted('a', 'c1'), false, 'the oldest was forgotten')
    const copy = new ProviderIndex()
    copy.restoreGrants([...index.saveGrants(), 42, 'no-space'])
    assert.deepEqual(['b', 'c', 'd'].map(p => copy.wasGranted(p, 'c1')), [true, true, true])
  })
})
