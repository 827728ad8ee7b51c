/**
 * The tracker's announce and catalogue handlers wait for a stream's first message under a
 * deadline whose timer is cleared as soon as the message arrives (withDeadline), not under
 * `AbortSignal.timeout`, which keeps a timer and its signal alive for the full 10 s: two per
 * request on a busy tracker (the renewal and the DONE), thousands held at once under load.
 * The test counts `AbortSignal.timeout` calls while a raw client (which makes none itself)
 * sends announcements and catalogue requests to a real tracker.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ANNOUNCE_PROTOCOL, AnnounceRequest, AnnounceResponse, CATALOGUE_PROTOCOL, CatalogueRequest, CatalogueResponse, StreamReader, expectMessage, writeMessage
} from '../../../node/index.js'
import { lightClient } from '../../fixtures/light-client.js'
import { startNetwork } from '../../fixtures/network.js'
import type { Host } from '../../../node/index.js'
import type { TestNetwork } from '../../fixtures/network.js'
import type { PeerId } from '@libp2p/interface'

const REQUESTS = 20

describe('tracker/protocols first-message deadline', function () {
  this.timeout(60_000)
  let net: TestNetwork
  let client: Host
  let tracker: PeerId
  const original = AbortSignal.timeout

  before(async () => {
    net = await startNetwork({ label: 'first-message-deadline', peerCount: 0 })
    client = await lightClient()
    await client.dial(net.tracker.addresses.map(a => multiaddr(a)))
    tracker = net.tracker.host.peerId
  })

  after(async () => {
    AbortSignal.timeout = original
    await client?.stop()
    await net?.stop()
  })

  /** Calls of AbortSignal.timeout while `fn` runs. */
  async function timeoutCalls (fn: () => Promise<void>): Promise<number> {
    let calls = 0
    AbortSignal.timeout = (ms: number): AbortSignal => { calls++; return original.call(AbortSignal, ms) }
    try {
      await fn()
    } finally {
      AbortSignal.timeout = original
    }
    return calls
  }

  /** One request on a fresh stream, with no AbortSignal.timeout on the client's side. */
  async function ask <Req, Res> (protocol: string, req: Req, reqCodec: Parameters<typeof writeMessage<Req>>[2], resCodec: Parameters<typeof expectMessage<Res>>[1]): Promise<Res> {
    const stream = await client.dialProtocol(tracker, protocol, { signal: new AbortController().signal })
    await writeMessage(stream, req, reqCodec)
    await stream.close()
    return await expectMessage(new StreamReader(stream), resCodec, 1 << 20, new AbortController().signal)
  }

  it(`answers ${REQUESTS} announcements and ${REQUESTS} catalogue requests without an AbortSignal.timeout each`, async () => {
    const calls = await timeoutCalls(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        // a HAVE for a cid the tracker does not serve: answered (refused) after the first message
        const res = await ask(ANNOUNCE_PROTOCOL, AnnounceRequest.decode(AnnounceRequest.encode({ type: AnnounceRequest.Type.HAVE, cid: new Uint8Array([1, 2, 3]) })), AnnounceRequest, AnnounceResponse)
        assert.equal(res.ok, false)
        const page = await ask(CATALOGUE_PROTOCOL, { type: CatalogueRequest.Type.LIST, query: '', offset: 0, limit: 10, cid: new Uint8Array(0) }, CatalogueRequest, CatalogueResponse)
        assert.equal(page.status, CatalogueResponse.Status.OK)
      }
    })
    // libp2p makes one per inbound stream itself (protocol negotiation, 10 s); the handlers'
    // own first-message wait used to add a second (82 calls here before, 42 after)
    assert.ok(calls < 3 * REQUESTS, `${calls} AbortSignal.timeout calls for ${2 * REQUESTS} requests`)
  })
})
