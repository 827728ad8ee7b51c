/**
 * A peer serving pieces from its store reads them into the transfer server's reused read
 * buffers (as the tracker does), and every piece still arrives byte for byte: a real tracker,
 * a real seeding peer (its store on disk) and a real downloader over TLS on 127.0.0.1.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { hashFile, StoredFile } from '../../../node/index.js'
import { probe } from '../../fixtures/piece-probe.js'
import { seedFromFile, startSwarm } from '../../fixtures/swarm.js'
import type { Swarm } from '../../fixtures/swarm.js'

const PIECE = 256 * 1024
const PIECES = 24

describe('Peer serving from its store: read buffers', function () {
  this.timeout(60_000)
  let swarm: Swarm | undefined
  const original = StoredFile.prototype.readPiece

  afterEach(async function () {
    StoredFile.prototype.readPiece = original
    await swarm?.stop()
    swarm = undefined
  })

  it('reads served pieces into a few reused buffers, and every piece arrives intact', async function () {
    swarm = await startSwarm({ label: 'peer-serve-buffers', fileSize: PIECES * PIECE - 5000, seed: 11 })
    const provider = await swarm.addPeer({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    const downloader = await swarm.addPeer()
    await seedFromFile(provider, swarm.path)
    const info = await hashFile(swarm.path)
    assert.equal(info.pieceCount, PIECES)

    // the memory each served piece was read into
    const memory: ArrayBufferLike[] = []
    StoredFile.prototype.readPiece = async function (this: StoredFile, index: number, into?: Uint8Array) {
      const data = await original.call(this, index, into)
      memory.push(data.buffer)
      return data
    }
    const pieces = Array.from({ length: PIECES }, (_, i) => i)
    const answers = await probe(swarm, downloader, provider, info, pieces)
    for (const a of answers) assert.equal(a.intact, true, `piece ${a.index} arrived intact`)
    assert.deepEqual(answers.map(a => a.index).sort((x, y) => x - y), pieces)

    assert.equal(memory.length, PIECES, 'each piece read from the store once')
    const distinct = new Set(memory).size
    assert.ok(distinct <= PIECES / 4, `${distinct} buffers for ${PIECES} pieces served: reused`)
  })
})
