/**
 * The dashboard's Server-Sent Events: a queued request shows up in the stream of a real
 * tracker, and a client that does not read cannot make the server buffer without bound.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { AnnounceRequest, announce, requestTicket } from '../../../node/index.js'
import { EventHub } from '../../../tracker/web/event-hub.js'
import { lightClient } from '../../fixtures/light-client.js'
import { startNetwork, waitFor } from '../../fixtures/network.js'
import { readEvents } from './web-fixtures.js'
import type { Dashboard } from '../../../tracker/index.js'
import type { TestNetwork } from '../../fixtures/network.js'
import type { AddressInfo } from 'node:net'

describe('tracker web API: dashboard events', function () {
  let net: TestNetwork | undefined
  const clients: Array<Awaited<ReturnType<typeof lightClient>>> = []
  const closers: Array<() => void> = []

  afterEach(async function () {
    for (const close of closers.splice(0)) close()
    await Promise.all(clients.splice(0).map(async c => { await c.stop() }))
    await net?.stop()
    net = undefined
  })

  it('pushes a dashboard event when a request queues, and when it is granted as a slot frees', async function () {
    net = await startNetwork({ label: 'web-events', peerCount: 0, tracker: { slots: 1, http: { host: '127.0.0.1', port: 0 } } })
    const n = net
    const base = n.tracker.web?.url ?? assert.fail('the tracker serves HTTP')
    const token = n.tracker.web?.token ?? assert.fail()
    const operator = await readEvents(`${base}/api/events?token=${token}`)
    const stranger = await readEvents(`${base}/api/events`)
    closers.push(operator.close, stranger.close)
    await operator.next<Dashboard>('the first event', d => d.operator && d.queue.length === 0)

    const trackerId = n.tracker.host.peerId
    const [a, b] = [await lightClient(), await lightClient()]
    clients.push(a, b)
    for (const c of [a, b]) await c.dial(multiaddr(n.tracker.addresses[0]))
    const cidOf = (path: string): CID => {
      const entry = n.tracker.catalogue.list().items.find(i => i.path === path) ?? assert.fail(path)
      return entry.cid
    }
    // a holds the only slot, b waits behind it
    const ticketA = await requestTicket(a, trackerId, { cid: cidOf('big.mp4'), requestId: 'a-1' })
    const controller = new AbortController()
    closers.push(() => { controller.abort() })
    const ticketB = requestTicket(b, trackerId, { cid: cidOf('music/song.mp3'), requestId: 'b-1', signal: controller.signal })
    ticketB.catch(() => {})

    const queued = await operator.next<Dashboard>('b waiting', d => d.queue.length === 1)
    const waiting = queued.queue.entries.find(e => e.state === 'waiting') ?? assert.fail('a waiting entry')
    assert.equal(waiting.position, 1)
    assert.equal(waiting.name, 'song.mp3')
    assert.equal(waiting.peer, b.peerId.toString())
    const granted = queued.queue.entries.find(e => e.state === 'granted') ?? assert.fail('a granted entry')
    assert.equal(granted.peer, a.peerId.toString())
    assert.equal(granted.position, 0)
    assert.equal(queued.queue.granted, 1)

    // the public stream shows the same queue without PeerIds
    const seen = await stranger.next<Dashboard>('b waiting, publicly', d => d.queue.length === 1)
    assert.equal(seen.operator, false)
    assert.ok(seen.queue.entries.every(e => e.peer === undefined))
    assert.equal(seen.peers.list, undefined)

    // a is done: b gets the slot
    await announce(a, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(ticketA.cid.bytes), ticketId: ticketA.ticketId, success: true })
    await ticketB
    const moved = await operator.next<Dashboard>('b granted', d => d.queue.length === 0 && d.queue.entries.some(e => e.state === 'granted' && e.peer === b.peerId.toString()))
    assert.equal(moved.queue.entries.length, 1)
  })

  it('serves a bounded number of event streams (503 beyond)', async function () {
    net = await startNetwork({ label: 'web-events-cap', peerCount: 0, tracker: { http: { host: '127.0.0.1', port: 0 } } })
    const base = net.tracker.web?.url ?? assert.fail()
    const open = []
    for (let i = 0; i < 32; i++) {
      const r = await readEvents(`${base}/api/events`)
      closers.push(r.close)
      assert.equal(r.res.statusCode, 200)
      open.push(r)
    }
    const refused = await readEvents(`${base}/api/events`)
    closers.push(refused.close)
    assert.equal(refused.res.statusCode, 503)
    // one closes: there is room again
    open[0].close()
    await waitFor('a free stream', async () => {
      const r = await readEvents(`${base}/api/events`)
      closers.push(r.close)
      return r.res.statusCode === 200
    })
  })

  it('a client that does not read makes the server skip its events, not buffer them', async function () {
    this.timeout(60_000)
    const event = 'x'.repeat(64 * 1024)
    const maxBufferedBytes = 256 * 1024
    const hub = new EventHub({ render: () => JSON.stringify(event), subscribe: () => () => {}, intervalMs: 5, maxBufferedBytes })
    let response: import('node:http').ServerResponse | undefined
    const server = createServer((req, res) => { response = res; hub.add(req, res, 'public') })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    closers.push(() => { hub.close(); server.closeAllConnections(); server.close() })
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    closers.push(() => { socket.destroy() })
    socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n')
    // never read: the kernel's buffers fill, then the hub must start skipping
    socket.pause()
    await waitFor('skipped events', () => hub.skipped > 20, 30_000)
    const res = response ?? assert.fail()
    const buffered = res.writableLength + (res.socket?.writableLength ?? 0)
    assert.ok(buffered <= maxBufferedBytes + 2 * event.length, `at most the limit and one event wait in memory (${buffered} bytes)`)
    assert.equal(hub.clients, 1)
  })
})
