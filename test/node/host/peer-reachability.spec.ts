/**
 * The tracker's dial-back of a newly connected peer waits (`delayMs`) until the peer has its
 * ticket (`checkNow`) or the delay is over, so it does not compete with the peer's own
 * requests in the start-up window.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost } from '../../../node/host/index.js'
import { startHost } from '../../fixtures/hosts.js'
import { waitFor } from '../../fixtures/swarm.js'
import type { Host } from '../../../node/host/index.js'

async function checker (delayMs: number): Promise<Host> {
  return createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], checkReachability: { delayMs } })
}

describe('node/host/peer-reachability: a held-back dial-back', function () {
  this.timeout(60_000)
  let tracker: Host | undefined
  let peer: Host | undefined

  afterEach(async function () {
    await Promise.all([peer, tracker].map(async h => { await h?.stop() }))
    tracker = peer = undefined
  })

  it('waits for checkNow, then dials the peer back', async function () {
    // a delay this long would time the test out if checkNow did not start the check
    tracker = await checker(10 * 60_000)
    peer = await startHost()
    const reach = tracker.services.reachability ?? assert.fail('the host checks reachability')
    await peer.dial(tracker.getMultiaddrs()[0])
    const id = peer.peerId.toString()
    await waitFor('the identify', () => reach.info(id)?.observed)
    let settled = false
    const done = reach.settled().then(() => { settled = true })
    await new Promise(resolve => setImmediate(resolve))
    assert.equal(settled, false, 'a held-back check counts as pending')
    assert.deepEqual(reach.info(id)?.confirmed, [], 'not dialled back before checkNow')
    assert.equal(peer.getConnections().length, 1, 'only the peer\'s own connection is open')
    reach.checkNow(id)
    await done
    assert.equal(reach.info(id)?.confirmed.length, 1, 'dialled back on its listen address')
  })

  it('dials back by itself once the delay is over', async function () {
    tracker = await checker(50)
    peer = await startHost()
    const reach = tracker.services.reachability ?? assert.fail('the host checks reachability')
    await peer.dial(tracker.getMultiaddrs()[0])
    const id = peer.peerId.toString()
    await waitFor('the identify', () => reach.info(id)?.observed)
    await reach.settled()
    assert.equal(reach.info(id)?.confirmed.length, 1)
  })

  it('checkNow of a peer with no check waiting does nothing', async function () {
    tracker = await checker(10 * 60_000)
    const reach = tracker.services.reachability ?? assert.fail('the host checks reachability')
    reach.checkNow('12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN')
    await reach.settled()
  })
})
