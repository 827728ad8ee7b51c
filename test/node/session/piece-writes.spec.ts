import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Bitfield } from '../../../node/store/index.js'
import { Availability } from '../../../node/session/availability.js'
import { PiecePicker } from '../../../node/session/piece-picker.js'
import { MAX_PENDING_WRITES, PieceWrites } from '../../../node/session/piece-writes.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import type { DownloadEvent, Manifest } from '../../../node/index.js'
import type { PieceSender, PieceWritesInit } from '../../../node/session/piece-writes.js'

const PIECE = 64 * 1024
const COUNT = 6

/** Six 64 KiB pieces (the last one short), their manifest, and a picker that asked `a` and `b` for each. */
function fixture (): { manifest: Manifest, data: Uint8Array, picker: PiecePicker } {
  const data = pseudoRandomBytes((COUNT - 1) * PIECE + 100, 23)
  const hashes: Buffer[] = []
  for (let at = 0; at < data.byteLength; at += PIECE) hashes.push(createHash('sha256').update(data.subarray(at, at + PIECE)).digest())
  const manifest = { size: data.byteLength, pieceSize: PIECE, pieceHashes: Buffer.concat(hashes) } as unknown as Manifest
  const availability = new Availability(COUNT)
  availability.add('a', Bitfield.full(COUNT))
  availability.add('b', Bitfield.full(COUNT))
  const picker = new PiecePicker(new Bitfield(COUNT), availability)
  assert.equal(picker.pick('a', COUNT).length, COUNT)
  return { manifest, data, picker }
}

const piece = (data: Uint8Array, i: number): Uint8Array[] & { byteLength: number } => {
  const bytes = data.subarray(i * PIECE, (i + 1) * PIECE)
  // in two chunks, as pieces arrive off a stream
  return Object.assign([bytes.subarray(0, 1000), bytes.subarray(1000)], { byteLength: bytes.byteLength })
}

const sender = (id: string): PieceSender => ({ id, abort: new AbortController() })

describe('node/session/piece-writes: verify, then write in the background', function () {
  for (const offload of [true, false]) {
    it(`writes good pieces and reports them, then says done (${offload ? 'thread pool' : 'on the loop'})`, async function () {
      const { manifest, data, picker } = fixture()
      const written = new Map<number, Buffer>()
      const verified: Array<[string, number, string[]]> = []
      const events: DownloadEvent[] = []
      let done = 0
      const writes = new PieceWrites({
        manifest,
        picker,
        offload,
        writePiece: async (i, bytes) => { written.set(i, Buffer.concat(bytes instanceof Uint8Array ? [bytes] : [...bytes])) },
        finished: () => false,
        verified: (from, i, askedOf) => { verified.push([from.id, i, askedOf]) },
        done: () => { done++ },
        failed: (err) => { throw err },
        onProgress: (e) => { events.push(e) }
      })
      const a = sender('a')
      for (let i = 0; i < COUNT; i++) await writes.add(a, i, piece(data, i))
      while (writes.pending > 0) await new Promise(resolve => setTimeout(resolve, 5))
      for (let i = 0; i < COUNT; i++) assert.ok(written.get(i)?.equals(data.subarray(i * PIECE, (i + 1) * PIECE)), `piece ${i}`)
      // hashes on the thread pool may finish in any order: each piece is reported once, whatever the order
      assert.deepEqual([...verified].sort((x, y) => x[1] - y[1]), Array.from({ length: COUNT }, (_, i) => ['a', i, ['a']]))
      assert.equal(events.filter(e => e.type === 'transfer:piece-verified').length, COUNT)
      assert.deepEqual(writes.bytesByProvider, { a: data.byteLength })
      assert.equal(writes.duplicateBytes, 0)
      assert.equal(done, 1)
      assert.equal(a.abort.signal.aborted, false)
    })
  }

  it('aborts the sender of a bad piece with BadPieceError, writes nothing and releases the request', async function () {
    const { manifest, data, picker } = fixture()
    const events: DownloadEvent[] = []
    const writes = new PieceWrites({ manifest, picker, writePiece: async () => { assert.fail('a bad piece was written') }, finished: () => false, verified: () => { assert.fail('verified') }, done: () => {}, failed: (err) => { throw err }, onProgress: (e) => { events.push(e) } })
    const a = sender('a')
    const bad = Buffer.from(data.subarray(PIECE, 2 * PIECE))
    bad[7] ^= 1
    await writes.add(a, 1, Object.assign([bad], { byteLength: bad.byteLength }))
    while (writes.pending > 0) await new Promise(resolve => setTimeout(resolve, 5))
    assert.equal((a.abort.signal.reason as Error).name, 'BadPieceError')
    assert.deepEqual(events, [{ type: 'transfer:bad-piece', provider: 'a', index: 1 }])
    assert.equal(picker.requestedFrom(1).size, 0, 'piece 1 is still requested from a')
    assert.equal(picker.done(1), false)
  })

  it('counts a copy of a piece verified already as a duplicate, and a failed write ends the session', async function () {
    const { manifest, data, picker } = fixture()
    const errors: Error[] = []
    const writes = new PieceWrites({
      manifest,
      picker,
      writePiece: async (i) => { if (i === 2) throw new Error('disk full') },
      finished: () => false,
      verified: () => {},
      done: () => {},
      failed: (err) => { errors.push(err) }
    })
    await writes.add(sender('a'), 0, piece(data, 0))
    while (writes.pending > 0) await new Promise(resolve => setTimeout(resolve, 5))
    await writes.add(sender('b'), 0, piece(data, 0))
    assert.equal(writes.duplicateBytes, PIECE)
    await writes.add(sender('a'), 2, piece(data, 2))
    while (writes.pending > 0) await new Promise(resolve => setTimeout(resolve, 5))
    assert.deepEqual(errors.map(e => e.message), ['disk full'])
    assert.deepEqual(writes.bytesByProvider, { a: PIECE })
  })

  it(`holds the reader back while ${MAX_PENDING_WRITES} writes are pending`, async function () {
    const { manifest, data, picker } = fixture()
    const release: Array<() => void> = []
    const init: PieceWritesInit = {
      manifest,
      picker,
      writePiece: async () => { await new Promise<void>(resolve => { release.push(resolve) }) },
      finished: () => false,
      verified: () => {},
      done: () => {},
      failed: (err) => { throw err }
    }
    const writes = new PieceWrites(init)
    for (let i = 0; i < MAX_PENDING_WRITES - 1; i++) await writes.add(sender('a'), i, piece(data, i))
    let returned = false
    const last = writes.add(sender('a'), MAX_PENDING_WRITES - 1, piece(data, MAX_PENDING_WRITES - 1)).then(() => { returned = true })
    while (release.length < MAX_PENDING_WRITES) await new Promise(resolve => setTimeout(resolve, 5))
    assert.equal(returned, false, 'add returned with every write pending')
    release.shift()?.()
    await last
    assert.equal(writes.pending, MAX_PENDING_WRITES - 1)
    for (const r of release.splice(0)) r()
  })
})
