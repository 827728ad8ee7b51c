/**
 * Fuzzes a real tracker: thousands of random and mutated frames on its four protocols, from
 * a few hosts over a bounded number of concurrent streams, while an honest peer keeps listing
 * and downloading. Everything random comes from one seed (FUZZ_SEED=n to try another): each
 * lane draws from its own generator forked from it, so a lane's inputs replay in order; how
 * many of them a lane gets through before the frame target is reached depends on timing.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ANNOUNCE_PROTOCOL, AnnounceRequest, CATALOGUE_PROTOCOL, FIRST_MESSAGE_TIMEOUT_MS,
  QUEUE_PROTOCOL, TRANSFER_PROTOCOL, TransferRequest, createHost,
  announce, requestTicket
} from '../../node/index.js'
import {
  FRAME_KINDS, MiB, RejectionRecorder, Rng, frame, fuzzInput, probe, sampleMemory, untilRemoteDone
} from '../fixtures/fuzz.js'
import { emptyStats, models, responseLabel } from '../fixtures/fuzz-models.js'
import { sha256, sha256File, startNetwork, waitFor, within } from '../fixtures/network.js'
import type { FrameKind, MemorySample, MessageModel, ProbeResult } from '../fixtures/fuzz.js'
import type { Host } from '../../node/index.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026)
/** Frames to send in all: the fuzz runs until they are sent, however fast the machine is. */
const TARGET_FRAMES = 12_000
/** A safety cap only (about 40 s are needed on a quiet 2-core machine); it is not what the test measures. */
const FUZZ_TIME_MS = 240_000
const WORKER_HOSTS = 4
/** Concurrent streams per worker connection: under the tracker's maxInboundStreams (8, 16, 8, 32), and for transfer twice the streams one peer is served at once (4), so some are refused as busy. */
const LANES = { [CATALOGUE_PROTOCOL]: 6, [QUEUE_PROTOCOL]: 12, [ANNOUNCE_PROTOCOL]: 6, [TRANSFER_PROTOCOL]: 8 }
const GRACE_MS = 500
const LEASE_MS = 2500
const HEAP_GROWTH_LIMIT = 64 * MiB


describe('integration: fuzzing the tracker protocols', function () {
  this.timeout(FUZZ_TIME_MS + 120_000)
  let net: TestNetwork
  let trackerId: PeerId
  let bigCid: CID
  let bigData: Uint8Array
  let pieceCount: number
  const workers: Host[] = []
  const connections: Connection[] = []
  let abandoner: Host | undefined
  const abandoned: Array<{ protocol: string, stream: Stream, openedAt: number }> = []
  const recorder = new RejectionRecorder()
  const stats = emptyStats()
  const honest: Array<{ round: number, ms: number, listMs: number, queueMs: number, transferMs: number, sha: string }> = []
  let fuzzStartedAt = 0
  let fuzzEndedAt = 0
  let memBefore: MemorySample
  let memAfter: MemorySample | undefined
  /** Event-loop delay while fuzzing (tracker, fuzzers and honest peer share this process). */
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })

  before(async function () {
    recorder.start()
    // a slot for each fuzzing host's own ticket, and one for the honest peer; the fuzzing hosts'
    // grants stay live through renewals for the whole fuzz (idleMs covers it)
    net = await startNetwork({ label: 'fuzz', peerCount: 0, tracker: { slots: WORKER_HOSTS + 1, maxPerPeer: 2, graceMs: GRACE_MS, leaseMs: LEASE_MS, idleMs: 10 * FUZZ_TIME_MS } })
    trackerId = net.tracker.host.peerId
    const big = net.tracker.catalogue.findByName('big.mp4')
    assert.ok(big != null)
    bigCid = big.cid
    pieceCount = big.pieceCount
    bigData = net.files.find(f => f.path === 'big.mp4')?.data ?? new Uint8Array()
    const addrs = net.tracker.addresses.map(a => multiaddr(a))
    for (let i = 0; i < WORKER_HOSTS; i++) {
      const host = await createHost({ privateKey: await generateKeyPair('Ed25519') })
      workers.push(host)
      connections.push(await host.dial(addrs, { signal: AbortSignal.timeout(10_000) }))
    }
    abandoner = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await abandoner.dial(addrs, { signal: AbortSignal.timeout(10_000) })
    // a ping answered means the tracker listens for our streams: yamux closes a fresh connection
    // on which more than 10 streams arrive before that (MaxEarlyStreamsError)
    for (const host of [...workers, abandoner]) await host.services.ping.ping(trackerId, { signal: AbortSignal.timeout(10_000) })
    // one honest round before measuring, so lazily created state is not counted as growth
    await honestRound(-1)
    memBefore = await sampleMemory()
  })

  after(async function () {
    recorder.stop()
    await Promise.all([...workers, abandoner].map(async h => { try { await h?.stop() } catch {} }))
    await net?.stop()
    const mb = (n: number): string => (n / MiB).toFixed(1)
    // figures for the report (mocha prints them with the results)
    console.log(`      fuzz: seed ${SEED}, ${stats.frames} frames on ${stats.streams} streams in ${((fuzzEndedAt - fuzzStartedAt) / 1000).toFixed(1)} s; ` +
      `by protocol ${JSON.stringify(Object.fromEntries(Object.entries(stats.byProtocol).map(([p, s]) => [p.split('/')[2], s])))}; ` +
      `by kind ${JSON.stringify(stats.byKind)}; outcomes ${JSON.stringify(stats.results)}; first answers ${JSON.stringify(stats.responses)}`)
    console.log(`      event-loop delay while fuzzing: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`)
    console.log(`      honest rounds (list + queue + transfer ms): ${honest.map(h => `#${h.round} ${h.listMs}+${h.queueMs}+${h.transferMs}`).join(', ')}`)
    if (memAfter != null) {
      console.log(`      memory (gc ${memBefore.collected && memAfter.collected ? 'forced' : 'not available'}): heapUsed ${mb(memBefore.heapUsed)} -> ${mb(memAfter.heapUsed)} MiB, ` +
        `rss ${mb(memBefore.rss)} -> ${mb(memAfter.rss)} MiB`)
    }
  })

  /** A fresh honest peer lists the catalogue and downloads big.mp4; both must be exact. */
  async function honestRound (round: number): Promise<void> {
    const started = Date.now()
    const peer = await net.addPeer()
    try {
      const items = await within(`honest round ${round}: list`, 20_000, peer.list())
      assert.equal(items.length, net.files.length, `round ${round}: the whole catalogue is listed`)
      const listedAt = Date.now()
      let grantedAt = 0
      const result = await within(`honest round ${round}: download`, 45_000, peer.download(bigCid, {
        onProgress: (e) => { if (e.type === 'queue:granted') grantedAt = Date.now() }
      }))
      const sha = await sha256File(result.file.dataPath)
      assert.equal(sha, sha256(bigData), `round ${round}: the download is byte-identical`)
      const done = Date.now()
      honest.push({ round, ms: done - started, listMs: listedAt - started, queueMs: grantedAt - listedAt, transferMs: done - grantedAt, sha })
    } finally {
      await peer.stop().catch(() => {})
    }
  }

  /** Streams opened on every protocol and left alone: some with nothing sent, some with half a frame. */
  async function openAbandoned (): Promise<void> {
    if (abandoner == null) return
    const counts = { [CATALOGUE_PROTOCOL]: 4, [QUEUE_PROTOCOL]: 4, [ANNOUNCE_PROTOCOL]: 4, [TRANSFER_PROTOCOL]: 4 }
    const rng = new Rng(SEED ^ 0xabad)
    await Promise.all(Object.entries(counts).flatMap(([protocol, n]) => Array.from({ length: n }, async (_, i) => {
      const stream = await abandoner!.dialProtocol(trackerId, protocol, { signal: AbortSignal.timeout(10_000) })
      if (i % 2 === 1) stream.send(Uint8Array.from([0x80 | rng.int(128), ...rng.bytes(i)])) // a prefix never finished
      abandoned.push({ protocol, stream, openedAt: Date.now() })
    })))
  }

  /** Counts one stream and its frames, by kind of frame, and what the tracker answered. */
  function count (protocol: string, frames: Record<string, number>, result: ProbeResult, data: Uint8Array = new Uint8Array(0)): void {
    const label = responseLabel(protocol, data)
    if (label != null) stats.responses[label] = (stats.responses[label] ?? 0) + 1
    const n = Object.values(frames).reduce((a, b) => a + b, 0)
    stats.frames += n
    stats.streams++
    stats.byProtocol[protocol].frames += n
    stats.byProtocol[protocol].streams++
    for (const [kind, k] of Object.entries(frames)) stats.byKind[kind] = (stats.byKind[kind] ?? 0) + k
    stats.results[result]++
  }

  it(`survives ${TARGET_FRAMES} random and mutated frames on all four protocols while an honest peer downloads`, async function () {
    // real tickets from the tracker's queue (it honours only tickets it issued and has not
    // revoked), renewed while the fuzz runs so the fuzz reaches the transfer session
    const cid = bigCid
    const requestIds = workers.map((_, i) => `fuzz-own-${i}`)
    const tickets = await Promise.all(workers.map(async (h, i) => (await requestTicket(h, trackerId, { cid, requestId: requestIds[i], signal: AbortSignal.timeout(10_000) })).bytes))
    let renewing = true
    const renewals = workers.map(async (h, i) => {
      while (renewing) {
        await new Promise(resolve => setTimeout(resolve, LEASE_MS / 4))
        if (!renewing) break
        try {
          const res = await announce(h, trackerId, { type: AnnounceRequest.Type.RENEW, cid: new Uint8Array(cid.bytes), requestId: requestIds[i] }, AbortSignal.timeout(5000))
          tickets[i] = res.ticket
        } catch {}
      }
    })
    const cids = net.tracker.catalogue.list(undefined, 0, 100).items.map(e => e.cid)
    const m = models(cids, (host) => tickets[host], pieceCount)
    const root = new Rng(SEED)
    await openAbandoned()

    fuzzStartedAt = Date.now()
    loopDelay.enable()
    const deadline = fuzzStartedAt + FUZZ_TIME_MS
    const more = (): boolean => stats.frames < TARGET_FRAMES && Date.now() < deadline

    /** One stream of a control protocol: one fuzzed input, or a valid request abandoned at once. */
    const controlStream = (protocol: string, model: MessageModel) => async (connection: Connection, rng: Rng): Promise<void> => {
      if (rng.chance(0.05)) {
        // a request (or half of one) sent, then the stream reset at once
        const whole = frame(model.valid(rng))
        const chunks = rng.chance(0.7) ? [whole] : rng.chance(0.5) ? [] : [whole.subarray(0, Math.max(1, whole.byteLength >> 1))]
        const out = await probe(connection, protocol, chunks, { abort: true })
        count(protocol, { abandoned: chunks.length }, out.result)
        return
      }
      const input = fuzzInput(rng, model)
      const out = await probe(connection, protocol, input.chunks, { timeoutMs: protocol === QUEUE_PROTOCOL ? 1500 : 3000, keep: 1 << 20 })
      count(protocol, { [input.kind]: input.frames }, out.result, out.data)
    }

    /** One transfer stream: a fuzzed hello, or a valid hello followed by a batch of requests, the last one fuzzed. */
    const transferStream = async (connection: Connection, rng: Rng, host: number): Promise<void> => {
      if (rng.chance(0.5)) {
        const input = fuzzInput(rng, m.hello(host))
        const out = await probe(connection, TRANSFER_PROTOCOL, input.chunks, { timeoutMs: 3000, keep: 4096 })
        count(TRANSFER_PROTOCOL, { [`hello:${input.kind}`]: input.frames }, out.result, out.data)
        return
      }
      const follow = m.followUp(host)
      const chunks = [frame(TransferRequest.encode({ ticket: tickets[host], want: [], cancel: [] }))]
      const n = rng.range(2, 24)
      const frames: Record<string, number> = { 'hello:valid': 1 }
      for (let i = 0; i < n; i++) {
        // random acceptable requests, the last one possibly malformed
        const kind: FrameKind = i < n - 1 || rng.chance(0.3) ? 'valid' : rng.pick(FRAME_KINDS)
        const input = fuzzInput(rng, follow, kind)
        chunks.push(...input.chunks)
        const key = kind === 'valid' ? 'session:random' : `session:${kind}`
        frames[key] = (frames[key] ?? 0) + input.frames
      }
      const out = await probe(connection, TRANSFER_PROTOCOL, chunks, { timeoutMs: 5000, keep: 4096 })
      count(TRANSFER_PROTOCOL, frames, out.result, out.data)
    }

    const lanes: Array<Promise<void>> = []
    workers.forEach((_, host) => {
      const connection = connections[host]
      const run = (n: number, one: (rng: Rng) => Promise<void>, rng: Rng): void => {
        for (let lane = 0; lane < n; lane++) {
          const laneRng = rng.fork()
          lanes.push((async () => { while (more()) await one(laneRng) })())
        }
      }
      const hostRng = root.fork()
      run(LANES[CATALOGUE_PROTOCOL], async (rng) => controlStream(CATALOGUE_PROTOCOL, m.catalogue)(connection, rng), hostRng.fork())
      run(LANES[QUEUE_PROTOCOL], async (rng) => controlStream(QUEUE_PROTOCOL, m.queue)(connection, rng), hostRng.fork())
      run(LANES[ANNOUNCE_PROTOCOL], async (rng) => controlStream(ANNOUNCE_PROTOCOL, m.announce)(connection, rng), hostRng.fork())
      run(LANES[TRANSFER_PROTOCOL], async (rng) => transferStream(connection, rng, host), hostRng.fork())
    })

    // the honest peer, concurrently: at least three rounds, and more while the fuzz runs
    const honestRounds = (async () => {
      for (let round = 0; round < 3 || more(); round++) await honestRound(round)
    })()
    await Promise.all([...lanes, honestRounds])
    renewing = false
    await Promise.all(renewals)
    // the fuzzing hosts' own grants end with the fuzz
    await Promise.all(workers.map(async (h, i) => announce(h, trackerId, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), requestId: requestIds[i], success: false }, AbortSignal.timeout(5000)).catch(() => {})))
    fuzzEndedAt = Date.now()
    loopDelay.disable()

    assert.ok(stats.frames >= TARGET_FRAMES, `all ${TARGET_FRAMES} frames were sent before the safety cap (sent ${stats.frames})`)
    for (const [protocol, s] of Object.entries(stats.byProtocol)) assert.ok(s.streams >= 200, `${protocol} got ${s.streams} streams`)
    // the fuzz went past the decoder: each handler answered from several of its branches (how many
    // transfer hellos find their ticket still live depends on how late renewals run on a loaded
    // machine, so that count is not asserted)
    const seen = (prefix: string): number => Object.keys(stats.responses).filter(k => k.startsWith(prefix)).length
    assert.ok(seen('catalogue:OK+') >= 2 && seen('catalogue:NOT_FOUND') + seen('catalogue:BAD_REQUEST') >= 1, `catalogue answers: ${JSON.stringify(stats.responses)}`)
    assert.ok(seen('queue:REFUSED') >= 2 && seen('queue:TICKET') + seen('queue:POSITION') >= 1, `queue answers: ${JSON.stringify(stats.responses)}`)
    assert.ok(seen('announce:ok') >= 1 && seen('announce:refused') >= 1, `announce answers: ${JSON.stringify(stats.responses)}`)
    assert.ok((stats.responses['transfer:BITFIELD'] ?? 0) >= 1 && (stats.responses['transfer:REJECT'] ?? 0) >= 1, `transfer answers: ${JSON.stringify(stats.responses)}`)
    assert.ok(honest.filter(h => h.round >= 0).length >= 3, 'the honest peer finished at least three rounds during the fuzz')
    for (const c of connections) assert.equal(c.status, 'open', 'the tracker dropped streams, never a fuzzing connection')
  })

  it('leaves no waiting request of a fuzzing peer once the grace period has passed', async function () {
    const fuzzers = new Set(workers.map(h => h.peerId.toString()))
    await new Promise(resolve => setTimeout(resolve, Math.max(0, fuzzEndedAt + GRACE_MS + 700 - Date.now())))
    const waiting = net.tracker.queue.waiting().filter(w => fuzzers.has(w.peerId))
    assert.deepEqual(waiting.map(w => w.requestId), [], 'every fuzz stream is closed, so each waiting request of theirs was detached and dropped after graceMs')
  })

  it('leaves no grant of a fuzzing peer once leases and grace have run out', async function () {
    const fuzzers = new Set(workers.map(h => h.peerId.toString()))
    await new Promise(resolve => setTimeout(resolve, Math.max(0, fuzzEndedAt + LEASE_MS + GRACE_MS + 1000 - Date.now())))
    const left = [...net.tracker.queue.grants(), ...net.tracker.queue.waiting()].filter(e => fuzzers.has(e.peerId))
    assert.deepEqual(left.map(e => e.requestId), [])
  })

  it('holds no stream of the fuzzing connections open afterwards', async function () {
    const ours = new Set([CATALOGUE_PROTOCOL, QUEUE_PROTOCOL, ANNOUNCE_PROTOCOL, TRANSFER_PROTOCOL])
    const open = (): string[] => workers.flatMap(h => net.tracker.host.getConnections(h.peerId))
      .flatMap(c => c.streams.filter(s => ours.has(s.protocol ?? '')).map(s => `${s.protocol} ${s.status}/${s.readStatus}/${s.writeStatus}`))
    await waitFor('the tracker to close the fuzz streams', () => open().length === 0, 5000).catch(() => {})
    assert.deepEqual(open(), [])
  })

  it('resets the streams that were opened and abandoned, after its first-message timeout', async function () {
    assert.ok(abandoned.length > 0)
    const latest = Math.max(...abandoned.map(a => a.openedAt))
    await Promise.all(abandoned.map(async a => untilRemoteDone(a.stream, Math.max(0, latest + FIRST_MESSAGE_TIMEOUT_MS + 3000 - Date.now()))))
    const stillOpen = abandoned.filter(a => a.stream.status === 'open' && a.stream.remoteWriteStatus === 'writable').map(a => a.protocol)
    assert.deepEqual(stillOpen, [], 'each abandoned stream was closed by the tracker')
  })

  it('still serves afterwards: a new peer lists and downloads the multi-piece file', async function () {
    await honestRound(99)
  })

  it(`keeps its memory bounded (heap growth under ${HEAP_GROWTH_LIMIT / MiB} MiB after a gc)`, async function () {
    memAfter = await sampleMemory(500)
    const growth = memAfter.heapUsed - memBefore.heapUsed
    assert.ok(growth < HEAP_GROWTH_LIMIT, `heapUsed grew by ${(growth / MiB).toFixed(1)} MiB (${(memBefore.heapUsed / MiB).toFixed(1)} -> ${(memAfter.heapUsed / MiB).toFixed(1)} MiB)`)
    const rssGrowth = memAfter.rss - memBefore.rss
    assert.ok(rssGrowth < 4 * HEAP_GROWTH_LIMIT, `rss grew by ${(rssGrowth / MiB).toFixed(1)} MiB`)
  })

  it('raised no unhandled rejection (each would terminate a tracker CLI process on Node 20)', function () {
    const during = recorder.since(fuzzStartedAt)
    assert.equal(during.length, 0, `${during.length} unhandled rejections while fuzzing:\n${RejectionRecorder.describe(during)}`)
  })
})
