/**
 * `npm run bench:tracker`: one tracker process, 2,000 connected peers simulated by light
 * libp2p clients in a few child processes (each binding its dials to its own 127.0.0.x
 * address), 20,000 queue requests each followed by a renewal and a DONE. Prints JSON: whether
 * grants followed arrival order exactly, the grant latency after a slot frees (from the queue
 * granting the request to the ticket written on its stream) p50/p99, the tracker's peak RSS,
 * its RSS with every peer connected and idle, and its CPU-seconds under load; to say where the
 * p99 comes from, the tracker's GC pauses and event-loop delay under load and how many grants
 * slower than 5 ms overlap a GC pause (`trackerUnderLoad`).
 *
 * Options: --peers 2000 --requests 20000 --workers 4 --slots 16 --encrypter noise|tls
 * --heap-growth PERCENT (the tracker's, as `tracker --heap-growth`; 0: V8's default)
 * --tracker-encryption tls|noise (as `tracker --encryption`: noise, the tracker offers Noise only)
 * --memory-breakdown (where the tracker's RSS is: idle, at its highest under load, at the end)
 * --profile DIR (a CPU profile of the tracker) --heap-snapshot DIR (heap snapshots of the
 * tracker idle and at the end) --tracker-node-args "FLAGS" (node flags of the tracker). Each peer keeps one request
 * outstanding at a time, so every request is eligible and grants must follow arrival order
 * exactly (the queue's sequence numbers strictly increase in grant order).
 *
 * Internal roles (same file): `--role tracker` (the tracker under test, in-process so it can
 * record grants) and `--role clients` (one worker's light clients). Like `mediaswarm tracker`,
 * they run with V8's defaults (see cli/v8-flags.ts).
 */
import '../node/polyfill.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PerformanceObserver, constants as perfConstants, monitorEventLoopDelay } from 'node:perf_hooks'
import { writeHeapSnapshot } from 'node:v8'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { tls } from '@libp2p/tls'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { AnnounceRequest, announce, requestTicket } from '../node/index.js'
import { cpuSeconds, killAll, sleep, startNode, vmHwmBytes, waitForJsonLine } from './lib/procs.js'
import { option, wholeNumber } from './lib/args.js'
import { runBench } from './lib/run.js'
import { DEFAULT_HEAP_GROWTH_PERCENT, setHeapGrowth } from '../tracker/heap-growth.js'
import { vmRssBytes } from './lib/soak.js'
import { memoryBreakdown } from './lib/memory-breakdown.js'
import type { Host } from '../node/index.js'
import type { TicketSentEvent } from '../tracker/index.js'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Child } from './lib/procs.js'

const SELF = fileURLToPath(import.meta.url)
const FILES = 4

const print = (value: unknown): void => { process.stdout.write(JSON.stringify(value) + '\n') }
const percentile = (sorted: number[], p: number): number => sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
const round3 = (x: number): number => Math.round(x * 1000) / 1000
const mb = (bytes: number): number => Math.round(bytes / 1048576)
const memoryMB = (mem: NodeJS.MemoryUsage): Record<string, number> => ({ rss: mb(mem.rss), heapUsed: mb(mem.heapUsed), heapTotal: mb(mem.heapTotal), external: mb(mem.external), arrayBuffers: mb(mem.arrayBuffers) })

/** The tracker under test: reports its grants (order, latency) when sent SIGUSR2. */
async function trackerRole (argv: string[]): Promise<void> {
  const { Tracker } = await import('../tracker/index.js')
  // as the `tracker` command does (--heap-growth 0: V8's default)
  setHeapGrowth(Number(option(argv, 'heap-growth', String(DEFAULT_HEAP_GROWTH_PERCENT))))
  const events: Array<{ seq: number, at: number, waited: boolean, latencyMs: number, inTurn?: boolean }> = []
  const pauses = gcPauses()
  const tracker = await Tracker.create({
    home: option(argv, 'home', ''),
    mediaDir: option(argv, 'media', ''),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    watch: false,
    slots: wholeNumber(argv, 'slots', 16),
    encryption: option(argv, 'encryption', 'tls') === 'noise' ? 'noise' : 'tls',
    maxWaiting: 1_000_000,
    // each bench peer dials from one of a few 127.0.0.x addresses
    maxRequestsPerAddress: 1_000_000,
    maxConnectionsPerAddress: 100_000,
    onTicketSent: (e: TicketSentEvent) => { events.push({ seq: e.grant.seq, at: e.grantedAt, waited: e.waited, latencyMs: e.latencyMs, inTurn: e.inGrantTurn }) }
  })
  // --heap-snapshot DIR: heap snapshots when idle (SIGHUP) and at the end (SIGUSR2)
  const snapshotDir = option(argv, 'heap-snapshot', '')
  // --memory-breakdown: where the RSS is, idle, at the highest RSS seen under load (sampled
  // once a second) and at the end
  const breakdown = argv.includes('--memory-breakdown')
  let atPeak: { rss: number, breakdown?: Record<string, unknown> } = { rss: 0 }
  let sampler: NodeJS.Timeout | undefined
  process.on('SIGUSR2', () => {
    clearInterval(sampler)
    const byGrant = [...events].sort((a, b) => a.at - b.at)
    let outOfOrder = 0
    for (let i = 1; i < byGrant.length; i++) if (byGrant[i].seq <= byGrant[i - 1].seq) outOfOrder++
    const latencies = events.filter(e => e.waited).map(e => e.latencyMs).sort((a, b) => a - b)
    const mem = process.memoryUsage()
    const heapSnapshot = snapshotDir !== '' ? writeHeapSnapshot(join(snapshotDir, `tracker-end-${process.pid}.heapsnapshot`)) : ''
    print({
      event: 'report',
      heapSnapshot,
      grants: events.length,
      waitedGrants: latencies.length,
      outOfOrder,
      p50Ms: round3(percentile(latencies, 50)),
      p99Ms: round3(percentile(latencies, 99)),
      maxMs: round3(latencies[latencies.length - 1] ?? 0),
      underLoad: pauses.report(events.filter(e => e.waited).map(e => ({ at: e.at, ms: e.latencyMs, inTurn: e.inTurn === true }))),
      memoryMB: memoryMB(mem),
      ...(breakdown ? { breakdownAtPeak: atPeak.breakdown, breakdownAtEnd: memoryBreakdown() } : {})
    })
  })
  // SIGHUP (every peer connected, idle): the memory then
  process.on('SIGHUP', () => {
    const mem = process.memoryUsage()
    const file = snapshotDir !== '' ? writeHeapSnapshot(join(snapshotDir, `tracker-idle-${process.pid}.heapsnapshot`)) : ''
    // from here on the load runs: GC pauses and event-loop delay are counted from now
    pauses.reset()
    if (breakdown) {
      sampler = setInterval(() => {
        const rss = process.memoryUsage.rss()
        if (rss > atPeak.rss) atPeak = { rss, breakdown: memoryBreakdown() }
      }, 1000)
    }
    print({ event: 'idle', connections: tracker.host.getConnections().length, memoryMB: memoryMB(mem), heapSnapshot: file, ...(breakdown ? { breakdown: memoryBreakdown() } : {}) })
  })
  process.on('SIGTERM', () => { void tracker.stop().finally(() => process.exit(0)) })
  print({ event: 'listening', addresses: tracker.addresses, cids: tracker.catalogue.list().items.map(i => i.cid.toString()) })
}

/** A grant slower than this is "slow" in the attribution of the p99 (the target). */
const SLOW_GRANT_MS = 5
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb'
}

/**
 * Where slow grants come from, in the tracker process: its GC pauses (perf_hooks 'gc'
 * entries), its event-loop delay (monitorEventLoopDelay, 10 ms resolution), and how many
 * grants slower than SLOW_GRANT_MS overlap a GC pause.
 */
function gcPauses (): { reset: () => void, report: (grants: Array<{ at: number, ms: number, inTurn: boolean }>) => Record<string, unknown> } {
  let gcs: Array<{ start: number, ms: number, kind: string }> = []
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: GC_KINDS[((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other' })
  })
  observer.observe({ entryTypes: ['gc'] })
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const ms = (ns: number): number => round3(ns / 1e6)
  return {
    reset: () => { gcs = []; loop.reset() },
    report: (grants) => {
      const byKind: Record<string, { count: number, totalMs: number, maxMs: number }> = {}
      for (const g of gcs) {
        const k = (byKind[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 })
        k.count++
        k.totalMs = round3(k.totalMs + g.ms)
        k.maxMs = round3(Math.max(k.maxMs, g.ms))
      }
      const slow = grants.filter(g => g.ms > SLOW_GRANT_MS)
      const inTurn = grants.filter(g => g.inTurn)
      const overlaps = (g: { at: number, ms: number }): boolean => gcs.some(p => p.start < g.at + g.ms && p.start + p.ms > g.at)
      const pauseSorted = gcs.map(g => g.ms).sort((a, b) => a - b)
      return {
        gc: { count: gcs.length, totalMs: round3(pauseSorted.reduce((a, b) => a + b, 0)), p99Ms: round3(percentile(pauseSorted, 99)), byKind },
        eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
        // tickets signed and written in the grant's own turn (the others waited for addresses)
        grantsInGrantTurn: inTurn.length,
        slowGrants: { overMs: SLOW_GRANT_MS, count: slow.length, overlappingGc: slow.filter(overlaps).length, inGrantTurn: slow.filter(g => g.inTurn).length }
      }
    }
  }
}

/**
 * A light client: TCP from `from`, yamux, no services; Noise first (its handshake is far
 * cheaper than TLS's certificate per connection) or, with `--encrypter tls`, TLS first as
 * mediaswarm's own nodes dial. The choice changes the tracker's cost under load: Noise
 * writes each message to the socket in three writes.
 */
async function lightHost (from: string, encrypter: string): Promise<Host> {
  const dialOpts = { localAddress: from } as unknown as TCPSocketOptions
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp({ dialOpts })],
    connectionEncrypters: encrypter === 'tls' ? [tls(), noise()] : [noise(), tls()],
    // as mediaswarm's hosts (node/host/create-host.ts): no yamux keep-alive pings
    streamMuxers: [yamux({ enableKeepAlive: false })],
    // the tracker answers slowly under load: no ping-based connection teardown
    connectionMonitor: { enabled: false }
  })
  return node as unknown as Host
}

/** One worker: `count` clients connect, then on SIGUSR2 each runs `rounds` request/renew/done rounds. */
async function clientsRole (argv: string[]): Promise<void> {
  const from = option(argv, 'from', '127.0.0.1')
  const count = wholeNumber(argv, 'count', 500)
  const rounds = wholeNumber(argv, 'rounds', 10)
  const addrs = option(argv, 'addr', '').split(',').map(a => multiaddr(a))
  const cids = option(argv, 'cids', '').split(',').map(c => CID.parse(c))
  const tracker = peerIdFromString(addrs[0].getComponents().find(c => c.name === 'p2p')?.value ?? '')
  const hosts: Host[] = []
  // on a loaded machine a dial that timed out can fail again later inside libp2p's upgrader,
  // where nobody awaits it: that connection is gone, the client retries, the worker lives on
  process.on('unhandledRejection', (err) => { process.stderr.write(`late dial failure: ${(err as Error)?.message}\n`) })
  // a few dials at a time: the tracker upgrades at most 64 inbound connections at once
  let next = 0
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) {
      next++
      const host = await lightHost(from, option(argv, 'encrypter', 'noise'))
      hosts.push(host)
      for (let attempt = 1; ; attempt++) {
        try {
          await host.dial(addrs, { signal: AbortSignal.timeout(30_000) })
          break
        } catch (err) {
          if (attempt >= 5) throw err
          await sleep(200 * attempt)
        }
      }
    }
  }))
  print({ event: 'connected', count })
  await new Promise<void>(resolve => process.once('SIGUSR2', () => { resolve() }))
  const started = Date.now()
  const counts = { requests: 0, renewals: 0, done: 0, failures: 0 }
  let firstError = ''
  await Promise.all(hosts.map(async (host, h) => {
    for (let r = 0; r < rounds; r++) {
      const cid = cids[(h + r) % cids.length]
      const requestId = `${h}-${r}`
      try {
        await requestTicket(host, tracker, { cid, requestId, signal: AbortSignal.timeout(600_000) })
        counts.requests++
        await announce(host, tracker, { type: AnnounceRequest.Type.RENEW, cid: new Uint8Array(cid.bytes), requestId })
        counts.renewals++
        await announce(host, tracker, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), requestId, success: true })
        counts.done++
      } catch (err) {
        counts.failures++
        firstError ||= (err as Error).message
      }
    }
  }))
  print({ event: 'done', ...counts, firstError, ms: Date.now() - started })
  await Promise.all(hosts.map(async h => { try { await h.stop() } catch {} }))
  process.exit(0)
}

async function main (argv: string[]): Promise<void> {
  const peers = wholeNumber(argv, 'peers', 2000)
  const requests = wholeNumber(argv, 'requests', 20_000)
  const workers = wholeNumber(argv, 'workers', 4)
  const slots = wholeNumber(argv, 'slots', 16)
  const encrypter = option(argv, 'encrypter', 'noise')
  if (encrypter !== 'noise' && encrypter !== 'tls') throw new Error(`--encrypter is noise or tls, not ${encrypter}.`)
  if (requests % peers !== 0) throw new Error('--requests must be a multiple of --peers (each peer makes the same number).')
  const root = await mkdtemp(join(tmpdir(), 'mediaswarm-bench-tracker-'))
  await runBench(async () => {
    const media = join(root, 'media')
    await mkdir(media)
    for (let i = 0; i < FILES; i++) await writeFile(join(media, `file-${i}.bin`), Buffer.alloc(64 * 1024, i + 1))
    // --profile DIR: a V8 CPU profile of the tracker process, written when it stops
    const profile = option(argv, 'profile', '')
    // --heap-snapshot DIR: a heap snapshot of the tracker once every peer is connected and idle
    const heapSnapshot = option(argv, 'heap-snapshot', '')
    // --tracker-node-args "...": node (V8) flags of the tracker process only, to compare heap settings
    const trackerArgs = option(argv, 'tracker-node-args', '').split(' ').filter(Boolean)
    const heapGrowth = option(argv, 'heap-growth', String(DEFAULT_HEAP_GROWTH_PERCENT))
    // --tracker-encryption noise: the tracker offers Noise only (`tracker --encryption noise`)
    const trackerEncryption = option(argv, 'tracker-encryption', 'tls')
    if (trackerEncryption !== 'tls' && trackerEncryption !== 'noise') throw new Error(`--tracker-encryption is tls or noise, not ${trackerEncryption}.`)
    const breakdownFlag = argv.includes('--memory-breakdown') ? ['--memory-breakdown'] : []
    const tracker = startNode('tracker', [...trackerArgs, ...(profile !== '' ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), SELF, '--role', 'tracker', '--heap-growth', heapGrowth, '--media', media, '--home', join(root, 'home'), '--slots', String(slots), '--encryption', trackerEncryption, '--heap-snapshot', heapSnapshot, ...breakdownFlag])
    const listening = await waitForJsonLine(tracker, (v): v is { event: 'listening', addresses: string[], cids: string[] } => v?.event === 'listening', 60_000)
    const addr = listening.addresses.filter(a => a.startsWith('/ip4/127.0.0.1/')).join(',')
    const started = Date.now()
    const clients: Child[] = []
    for (let w = 0; w < workers; w++) {
      const count = Math.floor(peers / workers) + (w < peers % workers ? 1 : 0)
      clients.push(startNode(`clients-${w}`, [SELF, '--role', 'clients', '--from', `127.0.0.${10 + w}`, '--count', String(count), '--rounds', String(requests / peers), '--addr', addr, '--cids', listening.cids.join(','), '--encrypter', encrypter]))
    }
    await Promise.all(clients.map(async c => waitForJsonLine(c, (v): v is { event: 'connected' } => v?.event === 'connected', 600_000)))
    const connectMs = Date.now() - started
    await sleep(1000)
    const idleRss = await vmRssBytes(tracker.pid)
    const idle = waitForJsonLine(tracker, (v): v is { event: 'idle', connections: number, memoryMB: Record<string, number>, heapSnapshot: string } => v?.event === 'idle', 600_000)
    tracker.proc.kill('SIGHUP')
    const idleReport = await idle
    const cpuBefore = await cpuSeconds(tracker.pid)
    const loadStarted = Date.now()
    const done = clients.map(async c => waitForJsonLine(c, (v): v is { event: 'done', requests: number, renewals: number, failures: number, firstError: string } => v?.event === 'done', 1_800_000))
    for (const c of clients) c.proc.kill('SIGUSR2')
    const results = await Promise.all(done)
    const loadMs = Date.now() - loadStarted
    const cpu = await cpuSeconds(tracker.pid) - cpuBefore
    const peak = await vmHwmBytes(tracker.pid)
    const reported = waitForJsonLine(tracker, (v): v is { event: 'report', grants: number, waitedGrants: number, outOfOrder: number, p50Ms: number, p99Ms: number, maxMs: number, underLoad: Record<string, unknown>, memoryMB: Record<string, number>, breakdownAtPeak?: unknown, breakdownAtEnd?: unknown } => v?.event === 'report', 300_000)
    tracker.proc.kill('SIGUSR2')
    const report = await reported
    const sum = (k: 'requests' | 'renewals' | 'failures'): number => results.reduce((n, r) => n + r[k], 0)
    print({
      bench: 'tracker',
      peers,
      requests,
      slots,
      workers,
      encrypter,
      trackerNodeArgs: trackerArgs.join(' '),
      heapGrowth,
      trackerEncryption,
      granted: sum('requests'),
      renewals: sum('renewals'),
      failures: sum('failures'),
      firstError: results.map(r => r.firstError).find(e => e !== '') ?? '',
      grantsInArrivalOrder: report.outOfOrder === 0 && report.grants === requests,
      outOfOrder: report.outOfOrder,
      grantLatencyAfterSlotFreesMs: { p50: report.p50Ms, p99: report.p99Ms, max: report.maxMs, samples: report.waitedGrants },
      trackerUnderLoad: report.underLoad,
      trackerPeakRssMB: mb(peak),
      trackerIdleRssWithPeersConnectedMB: mb(idleRss),
      trackerIdle: idleReport,
      trackerMemoryAtEndMB: report.memoryMB,
      ...(report.breakdownAtEnd != null ? { trackerBreakdownAtPeak: report.breakdownAtPeak, trackerBreakdownAtEnd: report.breakdownAtEnd } : {}),
      trackerCpuSecondsUnderLoad: round3(cpu),
      connectSeconds: round3(connectMs / 1000),
      loadSeconds: round3(loadMs / 1000),
      targets: { grantP99Ms: 5, trackerPeakRssMB: 300 }
    })
  }, async () => {
    await killAll()
    await rm(root, { recursive: true, force: true })
  })
}

const argv = process.argv.slice(2)
const role = option(argv, 'role', 'main')
if (role === 'tracker') await trackerRole(argv)
else if (role === 'clients') await clientsRole(argv)
else await main(argv)
