/**
 * Fair slots and admission at a real tracker: one grant per peer at a time, and limits per
 * source address on queued requests and on connections. Loopback aliases (127.0.0.2, …) are
 * distinct sources: the light clients bind their dials to them.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { AnnounceRequest, announce, requestTicket } from '../../node/index.js'
import { lightClient } from '../fixtures/light-client.js'
import { sha256, sha256File, startNetwork, waitFor, within } from '../fixtures/network.js'
import type { Host, Ticket } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const CONNECTIONS_PER_ADDRESS = 6
const REQUESTS_PER_ADDRESS = 3

describe('integration: fair slots and admission at the tracker', function () {
  this.timeout(120_000)
  let net: TestNetwork
  let trackerId: PeerId
  let cid: CID
  const clients: Host[] = []

  async function client (from: string): Promise<Host> {
    const host = await lightClient({ from })
    clients.push(host)
    await host.dial(net.tracker.addresses.map(a => multiaddr(a)), { signal: AbortSignal.timeout(10_000) })
    return host
  }

  const done = async (host: Host, requestId: string): Promise<void> => {
    await announce(host, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), requestId, success: true })
  }

  before(async function () {
    net = await startNetwork({
      label: 'admission',
      peerCount: 0,
      tracker: { slots: 4, maxConnectionsPerAddress: CONNECTIONS_PER_ADDRESS, maxRequestsPerAddress: REQUESTS_PER_ADDRESS }
    })
    trackerId = net.tracker.host.peerId
    cid = net.tracker.catalogue.findByName('big.mp4')?.cid as CID
  })

  after(async function () {
    await Promise.all(clients.map(async c => { try { await c.stop() } catch {} }))
    await net?.stop()
  })

  it('one PeerId with three request ids holds one of four slots; another peer is granted at once; the next request follows a release', async function () {
    const hog = await client('127.0.0.1')
    const tickets = new Map<string, Ticket>()
    const pending = ['a', 'b', 'c'].map(requestId => requestTicket(hog, trackerId, { cid, requestId, signal: AbortSignal.timeout(60_000) })
      .then(t => { tickets.set(requestId, t) }))
    await waitFor('the hog\'s requests to arrive', () => net.tracker.queue.stats().waiting + net.tracker.queue.stats().granted === 3)
    const mine = hog.peerId.toString()
    assert.deepEqual(net.tracker.queue.grants().map(g => g.peerId), [mine], 'one slot for the hog, three free')
    assert.deepEqual(net.tracker.queue.waiting().map(w => w.requestId), ['b', 'c'])
    const other = await client('127.0.0.3')
    await within('another peer\'s ticket', 10_000, requestTicket(other, trackerId, { cid, requestId: 'x' }))
    await done(hog, 'a')
    await waitFor('the hog\'s next request', () => tickets.has('b'))
    assert.equal(tickets.has('c'), false, 'still one at a time')
    await done(hog, 'b')
    await Promise.all(pending)
    await done(hog, 'c')
    await done(other, 'x')
  })

  it(`refuses ADDRESS_LIMIT beyond ${REQUESTS_PER_ADDRESS} requests from one address, whatever the PeerIds; other addresses are served`, async function () {
    const sybils = await Promise.all(Array.from({ length: REQUESTS_PER_ADDRESS + 1 }, async () => client('127.0.0.2')))
    const outcomes = await Promise.allSettled(sybils.map(async (h, i) => requestTicket(h, trackerId, { cid, requestId: `s${i}`, signal: AbortSignal.timeout(10_000) })))
    const refused = outcomes.flatMap(o => o.status === 'rejected' ? [o.reason as Error & { refusal?: string }] : [])
    assert.equal(refused.length, 1, `one of ${sybils.length} refused`)
    assert.equal(refused[0].name, 'QueueRefusedError')
    assert.equal(refused[0].refusal, 'ADDRESS_LIMIT')
    const honest = await client('127.0.0.3')
    await within('a request from another address', 10_000, requestTicket(honest, trackerId, { cid, requestId: 'h' }))
    await done(honest, 'h')
    for (const [i, h] of sybils.entries()) if (outcomes[i].status === 'fulfilled') await done(h, `s${i}`)
  })

  it(`accepts ${CONNECTIONS_PER_ADDRESS} connections from one address and refuses more, while other addresses connect and download`, async function () {
    const flood = await Promise.all(Array.from({ length: 3 * CONNECTIONS_PER_ADDRESS }, async () => lightClient({ from: '127.0.0.4' })))
    clients.push(...flood)
    const addrs = net.tracker.addresses.map(a => multiaddr(a))
    const dials = await Promise.allSettled(flood.map(async h => h.dial(addrs, { signal: AbortSignal.timeout(15_000) })))
    // a refused connection may look open to the dialer for a moment: count what stays open
    await new Promise(resolve => setTimeout(resolve, 500))
    const open = flood.filter(h => h.getConnections(trackerId).some(c => c.status === 'open'))
    console.log(`      connection flood from 127.0.0.4: ${dials.filter(d => d.status === 'fulfilled').length} dials resolved, ${open.length} connections stay open`)
    assert.equal(open.length, CONNECTIONS_PER_ADDRESS)
    // another address connects, and an honest peer downloads meanwhile
    await client('127.0.0.5')
    const peer = await net.addPeer()
    const result = await within('an honest download during the flood', 30_000, peer.download(cid))
    assert.equal(await sha256File(result.file.dataPath), sha256(net.files.find(f => f.path === 'big.mp4')?.data as Uint8Array))
    // the flood ends: its address may connect again
    await Promise.all(open.map(async h => h.stop()))
    const again = await lightClient({ from: '127.0.0.4' })
    clients.push(again)
    await waitFor('a connection from 127.0.0.4 once the others closed', async () =>
      again.dial(addrs, { signal: AbortSignal.timeout(5000) }).then(c => c.status === 'open', () => false), 10_000)
  })
})
