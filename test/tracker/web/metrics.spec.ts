/**
 * GET /metrics on a real tracker: scraped before and after a real download through a real
 * peer, mediaswarm's series move with the traffic; libp2p's own series are there too.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { chmod, open, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { QueueRefusedError, requestTicket } from '../../../node/index.js'
import { httpRequest } from '../../fixtures/http-client.js'
import { lightClient } from '../../fixtures/light-client.js'
import { startNetwork, waitFor } from '../../fixtures/network.js'
import type { TestNetwork } from '../../fixtures/network.js'

/** Prometheus text to `series{labels}` -> value. */
function parseMetrics (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line)
    if (m != null) out.set(m[1], Number(m[2]))
  }
  return out
}

describe('tracker web API: /metrics', function () {
  let net: TestNetwork | undefined

  afterEach(async function () {
    await net?.stop()
    net = undefined
  })

  it('mediaswarm series change with a real download; libp2p series are exported', async function () {
    net = await startNetwork({ label: 'web-metrics', peerCount: 1, tracker: { http: { host: '127.0.0.1', port: 0 } } })
    const n = net
    const url = `${n.tracker.web?.url ?? assert.fail()}/metrics`
    const scrape = async (): Promise<Map<string, number>> => {
      const res = await httpRequest(url)
      assert.equal(res.status, 200)
      assert.match(String(res.headers['content-type']), /^text\/plain/)
      return parseMetrics(res.body.toString('utf8'))
    }
    const get = (m: Map<string, number>, series: string): number => m.get(series) ?? assert.fail(`${series} is exported`)
    const before = await scrape()
    assert.ok([...before.keys()].some(k => k.startsWith('libp2p_')), 'libp2p metrics are exported')
    assert.ok([...before.keys()].some(k => k.startsWith('nodejs_')), 'process metrics are exported')

    const entry = n.tracker.catalogue.list().items.find(i => i.path === 'big.mp4') ?? assert.fail()
    // touched (a new ctime) but not changed: the library hashes each piece before serving it
    await chmod(join(n.mediaDir, 'big.mp4'), 0o640)
    const result = await n.peers[0].download(entry.cid)
    assert.equal(result.file.complete, true)
    // the peer's DONE ends its grant
    await waitFor('the DONE', () => n.tracker.stats.byFile()[entry.cidString]?.completed === 1 && n.tracker.queue.stats().granted === 0)

    // a request for a cid the catalogue does not have is refused
    const stranger = await lightClient()
    try {
      await stranger.dial(multiaddr(n.tracker.addresses[0]))
      const unknown = CID.parse('bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')
      await assert.rejects(requestTicket(stranger, n.tracker.host.peerId, { cid: unknown, requestId: 'x' }), (err: Error) => err instanceof QueueRefusedError)
    } finally {
      await stranger.stop()
    }

    // the queue length histogram is sampled every second: wait for one more sample
    const queueSamples = get(before, 'mediaswarm_queue_length_count')
    const after = await waitFor('a queue length sample', async () => {
      const m = await scrape()
      return get(m, 'mediaswarm_queue_length_count') > queueSamples ? m : undefined
    })
    const grew = (series: string): number => get(after, series) - (before.get(series) ?? 0)

    assert.ok(grew('mediaswarm_served_bytes_total{source="tracker"}') >= entry.size, 'the tracker served the whole file')
    assert.equal(get(after, 'mediaswarm_served_bytes_total{source="tracker"}'), n.tracker.stats.totalServedByTracker)
    assert.equal(get(after, 'mediaswarm_served_bytes_total{source="peers"}'), n.tracker.stats.totalServedByPeers)
    assert.ok(grew('mediaswarm_tickets_issued_total') >= 1)
    assert.equal(get(after, 'mediaswarm_tickets_refused_total{reason="unknown_cid"}'), 1)
    assert.equal(grew('mediaswarm_queue_wait_seconds_count'), 1, 'one request was granted')
    assert.equal(grew('mediaswarm_grant_hold_seconds_count'), 1, 'one grant ended')
    assert.equal(grew('mediaswarm_grant_latency_seconds_count'), 1, 'one ticket was written after a grant')
    assert.equal(grew('mediaswarm_pieces_verified_total'), entry.pieceCount, 'every piece was checked once')
    assert.equal(grew('mediaswarm_pieces_failed_total'), 0)

    // a piece damaged on disk, size and mtime kept: found bad, not served, counted
    const song = n.tracker.catalogue.list().items.find(i => i.path === 'music/song.mp3') ?? assert.fail()
    const file = await open(join(n.mediaDir, 'music/song.mp3'), 'r+')
    try {
      await file.write(Buffer.from('damage'), 0, 6, 10)
    } finally {
      await file.close()
    }
    // the mtime back as the library fixture set it (a Date: whole milliseconds)
    await utimes(join(n.mediaDir, 'music/song.mp3'), new Date(), new Date(Math.round(song.mtimeMs)))
    assert.equal((await stat(join(n.mediaDir, 'music/song.mp3'))).mtimeMs, song.mtimeMs, 'size and mtime as catalogued')
    const controller = new AbortController()
    n.peers[0].download(song.cid, { signal: controller.signal }).catch(() => {})
    try {
      await waitFor('the bad piece counted', async () => get(await scrape(), 'mediaswarm_pieces_failed_total') >= 1, 20_000)
    } finally {
      controller.abort()
    }
    assert.equal(get(after, 'mediaswarm_queue_waiting'), 0)
    const byReachability = ['public', 'upnp', 'hole-punched', 'relay-only', 'unknown'].map(r => get(after, `mediaswarm_connected_peers{reachability="${r}"}`))
    assert.equal(byReachability.reduce((a, b) => a + b, 0), n.tracker.connectedPeers().count)
    assert.ok(n.tracker.connectedPeers().count >= 1, 'the peer is connected')
    assert.equal(get(after, 'mediaswarm_catalogue_files'), n.files.length)
    // /metrics is public: no PeerId in any series
    const text = (await httpRequest(url)).body.toString('utf8')
    assert.ok(!text.includes(n.peers[0].host.peerId.toString()), 'no PeerId of a peer')
    assert.ok(!text.includes(n.tracker.host.peerId.toString()), 'no PeerId of the tracker')
  })

  it('two trackers in one process keep their own registries', async function () {
    net = await startNetwork({ label: 'web-metrics-two', peerCount: 0, tracker: { http: { host: '127.0.0.1', port: 0 } } })
    const other = await startNetwork({ label: 'web-metrics-other', peerCount: 1, tracker: { http: { host: '127.0.0.1', port: 0 } } })
    try {
      const entry = other.tracker.catalogue.list().items.find(i => i.path === 'notes.txt') ?? assert.fail()
      await other.peers[0].download(entry.cid)
      await waitFor('the other tracker counts its bytes', () => other.tracker.stats.totalServedByTracker > 0)
      const mine = parseMetrics((await httpRequest(`${net.tracker.web?.url ?? ''}/metrics`)).body.toString('utf8'))
      const theirs = parseMetrics((await httpRequest(`${other.tracker.web?.url ?? ''}/metrics`)).body.toString('utf8'))
      assert.equal(mine.get('mediaswarm_served_bytes_total{source="tracker"}'), 0)
      assert.ok((theirs.get('mediaswarm_served_bytes_total{source="tracker"}') ?? 0) > 0)
    } finally {
      await other.stop()
    }
  })
})
