import assert from 'node:assert/strict'
import { Availability, Bitfield, PiecePicker, TrackerShares } from '../../../node/index.js'

const PEERS = ['12D3KooWA', '12D3KooWB', '12D3KooWC', '12D3KooWD', '12D3KooWE', '12D3KooWF', '12D3KooWG', '12D3KooWH']

/** Each member's view of the split, from the same member list given in its own order. */
function views (members: string[], pieces: number): TrackerShares[] {
  return members.map((self, k) => {
    const shares = new TrackerShares(self, pieces)
    const others = members.filter(m => m !== self)
    shares.setMembers(k % 2 === 0 ? others : [...others].reverse())
    return shares
  })
}

describe('session: the co-downloaders split the tracker\'s pieces', function () {
  it('members that know the same peers agree: every piece belongs to exactly one of them', function () {
    const all = views(PEERS, 1024)
    for (let i = 0; i < 1024; i++) {
      const owners = all.filter(s => s.isMine(i))
      assert.equal(owners.length, 1, `piece ${i} has ${owners.length} owners`)
      const owner = PEERS[all.indexOf(owners[0])]
      for (const s of all) assert.equal(s.ownerOf(i), owner, `the members disagree on piece ${i}`)
    }
  })

  it('shares are even enough: each of 8 members owns between 1/16 and 1/4 of 4096 pieces', function () {
    const all = views(PEERS, 4096)
    for (const [k, s] of all.entries()) {
      let n = 0
      for (let i = 0; i < 4096; i++) if (s.isMine(i)) n++
      assert.ok(n > 4096 / 16 && n < 4096 / 4, `member ${k} owns ${n} pieces`)
    }
  })

  it('a member joining takes pieces only for itself: no piece moves between the others', function () {
    const before = new TrackerShares(PEERS[0], 2048)
    before.setMembers(PEERS.slice(1, 5))
    const after = new TrackerShares(PEERS[0], 2048)
    assert.equal(after.setMembers(PEERS.slice(1, 6)), true)
    assert.equal(after.setMembers([...PEERS.slice(1, 6)].reverse()), false, 'the same members in another order are no change')
    let moved = 0
    for (let i = 0; i < 2048; i++) {
      if (before.ownerOf(i) === after.ownerOf(i)) continue
      moved++
      assert.equal(after.ownerOf(i), PEERS[5], `piece ${i} moved from ${before.ownerOf(i)} to ${after.ownerOf(i)}`)
    }
    assert.ok(moved > 0, 'the new member got nothing')
  })

  it('alone, a downloader owns every piece', function () {
    const s = new TrackerShares(PEERS[0], 16)
    for (let i = 0; i < 16; i++) assert.equal(s.isMine(i), true)
  })

  it('the picker gives the fallback only owned pieces, and endgame duplicates only for the last few', function () {
    const a = new Availability(8)
    const picker = new PiecePicker(new Bitfield(8), a, () => 0)
    a.add('tracker', Bitfield.full(8), false)
    const mine = (i: number): boolean => i % 2 === 0
    assert.deepEqual(picker.pick('tracker', 8, { fallback: true, owned: mine }).sort(), [0, 2, 4, 6])
    assert.deepEqual(picker.pick('tracker', 8, { fallback: true, owned: mine }), [], 'the other pieces are someone else\'s share')
    a.add('peer', Bitfield.full(8))
    assert.deepEqual(picker.pick('peer', 8).sort(), [1, 3, 5, 7])
    assert.equal(picker.endgame, true)
    // 8 missing, all in flight: the tracker duplicates nothing while more than 2 are missing
    assert.deepEqual(picker.pick('tracker', 8, { fallback: true, owned: mine, endgameMissing: 2 }), [])
    for (const i of [0, 2, 4, 6, 1, 3]) picker.completed(i)
    assert.deepEqual(picker.pick('tracker', 8, { fallback: true, owned: mine, endgameMissing: 2 }).sort(), [5, 7], 'the last two may come from the tracker too')
  })
})
