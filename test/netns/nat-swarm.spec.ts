/**
 * Peers at home reshare, with the real CLI on a simulated internet (see
 * test/fixtures/netns.ts): a tracker on the internet (in (a) capped at 1 MiB/s of upload,
 * as a tracker busy with many peers would be), and two homes, each a peer behind its own NAT router
 * that drops unsolicited inbound packets. A downloads the file and keeps seeding; then B
 * downloads it. B reaches A through the tracker's relay, the peers punch a hole, and the
 * media moves on the direct connection: the routers count the bytes that crossed from
 * home to home. Behind NATs that give every connection a new port the punch fails and B is
 * served by the tracker, nothing but coordination crossing the relay.
 */
import assert from 'node:assert/strict'
import { useInternet } from '../fixtures/netns.js'
import { statusUntil, twoHomes, workspace } from './cli-swarm.js'
import type { Workspace } from './cli-swarm.js'

const FILE_SIZE = 12 * 1024 * 1024
const TRACKER_RATE = '1MiB'

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(2)} MiB`

describe('netns: peers behind NAT reshare (real CLI, tracker, relay, hole punch)', function () {
  this.timeout(120_000)
  const makeInternet = useInternet()
  let ws: Workspace | undefined


  afterEach(async function () {
    await ws?.remove()
    ws = undefined
  })

  it('(a) B gets at least half of the file from A over a hole-punched direct connection', async function () {
    const net = await makeInternet()
    ws = await workspace(FILE_SIZE)
    const { got, b, home1, aTrackerBytes, bDirectBytes, tracker } = await twoHomes(net, ws, 'port-preserving', ['--max-upload-rate', TRACKER_RATE])
    const punches = b.punches()
    assert.ok(punches.length > 0, `B punched no hole; its log: ${b.cli.stderrTail()}`)
    assert.ok(got.bytesFromPeers >= FILE_SIZE / 2, `B got only ${got.bytesFromPeers} of ${FILE_SIZE} bytes from A`)
    // not relayed: A's bytes entered B's home straight from A's router, not from the tracker's address
    assert.ok(bDirectBytes >= got.bytesFromPeers, `only ${bDirectBytes} bytes came to B's home from ${home1.publicAddress} directly`)
    // and the relay (the tracker) carried no media: far less than A sent went between A's home and it
    assert.ok(aTrackerBytes < got.bytesFromPeers / 4, `${aTrackerBytes} bytes crossed between A's home and the tracker`)
    // A, the punch's responder, tells the tracker its relayed connection was made direct
    const status = await statusUntil(net, ws, tracker, s => s.reachability.holePunched >= 1, 15_000)
    assert.equal(status.reachability.holePunched, 1, `status: ${JSON.stringify(status.reachability)}`)
    process.stderr.write(`[netns] (a) B got ${(100 * got.bytesFromPeers / FILE_SIZE).toFixed(0)}% (${mib(got.bytesFromPeers)} of ${mib(FILE_SIZE)}) from A, ` +
      `${mib(got.bytesFromTracker)} from the tracker (capped at ${TRACKER_RATE}/s); first direct connection ${punches[0].sinceStartMs} ms after B started ` +
      `(punch ${punches[0].punchMs} ms); relay and control bytes between A's home and the tracker meanwhile: ${(aTrackerBytes / 1024).toFixed(1)} KiB\n`)
  })

  it('(b) behind NATs mapping each connection to a new port, B completes from the tracker and no media crosses the relay', async function () {
    const net = await makeInternet()
    ws = await workspace(FILE_SIZE)
    const { got, b, aTrackerBytes, bDirectBytes } = await twoHomes(net, ws, 'random', ['--max-upload-rate', '4MiB'])
    assert.ok(b.punchPorts() > 0, 'B reached A through the relay and started a punch')
    assert.equal(b.punches().length, 0, 'no punch can work through these NATs')
    assert.equal(got.bytesFromPeers, 0)
    assert.equal(got.bytesFromTracker, FILE_SIZE)
    assert.ok(bDirectBytes < 64 * 1024, `${bDirectBytes} bytes came to B's home from another home`)
    // relayed connections are limited: coordination only, far below the file's size
    assert.ok(aTrackerBytes < 1024 * 1024, `${aTrackerBytes} bytes crossed between A's home and the tracker while B downloaded`)
    process.stderr.write(`[netns] (b) random mapping: B got ${mib(got.bytesFromTracker)} from the tracker, 0 from A; relay and control bytes between A's home and the tracker meanwhile: ${(aTrackerBytes / 1024).toFixed(1)} KiB\n`)
  })
})
