/**
 * One run of the swarm bench: a fresh tracker and N `get` processes started at once, or
 * (`--daemons`) N `peer` daemons started first, each then asked for the file by a `get` on
 * its home.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { MB, median } from './args.js'
import { sha256File } from './files.js'
import { CLI, COUNT_PROBE, USAGE_PROBE } from './mediaswarm.js'
import { ChildError, cpuSeconds, startNode, stop, waitForJsonLine, type Child } from './procs.js'
import { trackerTransfers, waitForTrackerAddr, type SwarmOptions } from './swarm.js'
import type { ProcessUsage } from './usage.js'

const MiB = 1024 ** 2

/** One entry of a get's `--json` array. */
export interface GotFile {
  name: string
  size: number
  path: string
  transferMs: number
  /** Verified bytes, by source (duplicates not counted). */
  bytesFromTracker: number
  bytesFromPeers: number
  /**
   * Optional: every piece byte received, duplicates included. When the get reports it, the
   * bench counts duplicates as bytesReceived − bytesFromTracker − bytesFromPeers.
   */
  bytesReceived?: number
  maxRssBytes: number
}

function isGotFile (v: any): v is GotFile {
  return typeof v?.name === 'string' && typeof v?.size === 'number' && typeof v?.path === 'string' &&
    typeof v?.transferMs === 'number' && typeof v?.bytesFromTracker === 'number' && typeof v?.bytesFromPeers === 'number'
}

export interface PeerResult {
  index: number
  /** Seconds from starting the N gets to this peer's JSON result. */
  completionSec: number
  entry: GotFile
  /**
   * CPU seconds of the whole get process (it seeds until every peer is done); with daemons,
   * the daemon's CPU from the start of the gets to the last completion plus the whole `get`
   * client's.
   */
  cpuSec: number
  /** With daemons: the daemon's share of cpuSec. */
  daemonCpuSec?: number
}

export interface PhaseResult {
  completionSec: number
  peers: PeerResult[]
  /** Bytes the tracker counted as served (duplicates included). */
  trackerUploadBytes: number
  /** The tracker's CPU from the start of the gets to the last completion. */
  trackerCpuSec: number
  loadAvg1Max: number
  /** With `--counts`: what bench/count-probe counted, the median over the peers and the tracker's. */
  counts?: { peerMedian: Record<string, number>, tracker: Record<string, number> }
}

export interface PhaseSetup {
  tmp: string
  mediaDir: string
  fileName: string
  inputSha256: string
  opts: SwarmOptions
}

/**
 * One run: a fresh tracker, N gets started at once (`--seed` when sharing, `--no-share`
 * for the client-server baseline), each peer's completion taken when its JSON appears.
 * Seeding peers keep serving until all have finished; then the tracker's upload is read
 * with `status --json`, everything is stopped and every output is checked.
 */
export async function runPhase (s: PhaseSetup, mode: 'swarm' | 'clientServer', run: number, log: (msg: string) => void): Promise<PhaseResult> {
  const { opts } = s
  const n = opts.peers
  const share = mode === 'swarm'
  const rate = String(opts.rateBytesPerSec)
  const dir = join(s.tmp, `${mode}-${run}`)
  await mkdir(dir)
  const trackerHome = join(dir, 't')
  // everyone served by the tracker alone takes N·F/u; allow three times that, plus start-up
  const timeoutMs = 120_000 + 3 * n * opts.sizeBytes / opts.rateBytesPerSec * 1000

  const countsFile = (name: string): string => join(dir, `counts-${name}.json`)
  const probe = (name: string): { args: string[], env: Record<string, string> } => opts.counts
    ? { args: ['--import', COUNT_PROBE], env: { MEDIASWARM_BENCH_COUNTS: countsFile(name) } }
    : { args: [], env: {} }
  const tracker = startNode('tracker', [...probe('t').args, CLI, 'tracker', '--media', s.mediaDir, '--all-files', '--home', trackerHome,
    '--listen', '/ip4/127.0.0.1/tcp/0', '--slots', String(n), '--max-upload-rate', rate], s.tmp, probe('t').env)
  const gets: Child[] = []
  const daemons: Child[] = []
  let loadTimer: NodeJS.Timeout | undefined
  try {
    const t = performance.now()
    const addr = await waitForTrackerAddr(tracker, trackerHome, 120_000 + opts.sizeBytes / (50 * MB) * 1000)
    log(`${mode}: tracker ready after ${((performance.now() - t) / 1000).toFixed(1)} s at ${addr}`)
    const viaDaemons = share && opts.daemons
    if (viaDaemons) {
      const d0 = performance.now()
      await Promise.all(Array.from({ length: n }, async (_, i) => {
        const daemon = startNode(`peer p${i}`, [...probe(`p${i}`).args, CLI, 'peer', '--tracker', addr, '--home', join(dir, `p${i}`),
          '--listen', '/ip4/127.0.0.1/tcp/0', '--no-upnp', '--json', '--max-upload-rate', rate], s.tmp, probe(`p${i}`).env)
        daemons.push(daemon)
        await waitForJsonLine(daemon, (v: any): v is { event: 'sharing' } => v?.event === 'sharing', 120_000)
      }))
      log(`${mode}: ${n} peer daemons sharing after ${((performance.now() - d0) / 1000).toFixed(1)} s`)
    }

    let loadAvg1Max = loadavg()[0]
    loadTimer = setInterval(() => { loadAvg1Max = Math.max(loadAvg1Max, loadavg()[0]) }, 1000)
    const trackerCpuBefore = await cpuSeconds(tracker.pid)

    const results: Array<Omit<PeerResult, 'cpuSec'> | undefined> = new Array(n).fill(undefined)
    let finished = 0
    let failure: Error | undefined
    let wake: (() => void) | undefined
    const woken = (): void => { wake?.() }
    const usageFile = (i: number): string => join(dir, `usage-p${i}.json`)
    const cpuAtDone: Array<number | undefined> = new Array(n).fill(undefined)
    const daemonCpuBefore = await Promise.all(daemons.map(async (d) => cpuSeconds(d.pid)))

    const started = performance.now()
    // the wall clock too: the children's DEBUG lines (MEDIASWARM_BENCH_LOG_DIR) carry ISO times
    log(`${mode}: starting ${n} gets at ${new Date().toISOString()}`)
    for (let i = 0; i < n; i++) {
      const args = ['--import', USAGE_PROBE, ...probe(`p${i}`).args, CLI, 'get', s.fileName, '--tracker', addr, '--home', join(dir, `p${i}`), '-o', join(dir, `o${i}`),
        '--json', ...(viaDaemons ? [] : ['--max-upload-rate', rate]),
        ...(viaDaemons ? [] : share ? ['--listen', '/ip4/127.0.0.1/tcp/0', '--seed'] : ['--no-share'])]
      const get = startNode(`get p${i}`, args, s.tmp, { MEDIASWARM_BENCH_USAGE: usageFile(i), ...probe(`p${i}`).env })
      gets.push(get)
      // with --seed the result is one JSON line; without it (and through a daemon) a
      // pretty-printed array that the process writes as it exits: the moment its first line
      // appears marks the completion
      const oneLine = share && !viaDaemons
      let firstLineAt: number | undefined
      get.onLine((line) => {
        if (firstLineAt !== undefined || line.trim() === '') return
        firstLineAt = performance.now()
        if (oneLine) onDone(i, get, firstLineAt)
      })
      void get.exited.then(({ code, signal }) => {
        if (results[i] !== undefined) return
        if (code === 0 && !oneLine) onDone(i, get, firstLineAt ?? performance.now())
        if (results[i] === undefined && failure === undefined) {
          failure = new ChildError(`Peer p${i} exited (code ${code}, signal ${signal}) before finishing its download.`, get)
        }
        woken()
      })
    }

    function onDone (i: number, get: Child, at: number): void {
      if (results[i] !== undefined) return
      const text = share && !viaDaemons ? get.stdout().split('\n')[0] : get.stdout()
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch {}
      const entry = Array.isArray(parsed) ? parsed.find(isGotFile) : undefined
      if (entry === undefined) {
        failure ??= new ChildError(`Peer p${i} printed no JSON entry with name, size, path, transferMs and bytes by source (stdout: ${JSON.stringify(text.slice(0, 300))}).`, get)
        woken()
        return
      }
      const r = { index: i, completionSec: (at - started) / 1000, entry }
      results[i] = r
      finished++
      // a fallback in case the process never gets to write its usage at exit
      void cpuSeconds(get.pid).then((c) => { cpuAtDone[i] = c }, () => {})
      log(`${mode}: p${i} done after ${r.completionSec.toFixed(2)} s (transfer ${(entry.transferMs / 1000).toFixed(2)} s, ` +
        `${(entry.bytesFromTracker / MiB).toFixed(1)} MiB from the tracker, ${(entry.bytesFromPeers / MiB).toFixed(1)} MiB from peers) [${finished}/${n}]`)
      woken()
    }

    const deadline = performance.now() + timeoutMs
    while (finished < n && failure === undefined) {
      const left = deadline - performance.now()
      if (left <= 0) {
        const missing = results.map((r, i) => r === undefined ? `p${i}` : '').filter(Boolean)
        throw new Error(`The ${mode} run did not finish within ${Math.round(timeoutMs / 1000)} s (still downloading: ${missing.join(', ')}).`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000))
        wake = () => { clearTimeout(timer); resolve() }
      })
      wake = undefined
    }
    if (failure !== undefined) throw failure
    clearInterval(loadTimer)
    loadTimer = undefined
    const trackerCpuSec = await cpuSeconds(tracker.pid) - trackerCpuBefore
    const daemonCpuSec = await Promise.all(daemons.map(async (d, i) => await cpuSeconds(d.pid) - daemonCpuBefore[i]))

    const transfers = await trackerTransfers(CLI, addr, join(dir, 's'), s.tmp)
    const row = transfers.find((t) => t.path === s.fileName || t.path.split('/').pop() === s.fileName)
    if (row === undefined) throw new Error(`The tracker's status lists no transfers of ${s.fileName}.`)

    // all finished: stop the seeders and the tracker
    const exits = await Promise.all([...gets, ...daemons].map(async (g) => ({ g, e: await stop(g, 10_000) })))
    for (const { g, e } of exits) {
      if (e.killed || (e.code !== 0 && e.signal !== 'SIGTERM')) {
        log(`warning: ${g.name} did not exit cleanly (code ${e.code}, signal ${e.signal}${e.killed ? ', needed SIGKILL' : ''})`)
      }
    }
    const te = await stop(tracker, 10_000)
    if (te.killed || te.code !== 0) log(`warning: the tracker did not exit cleanly (code ${te.code}, signal ${te.signal}${te.killed ? ', needed SIGKILL' : ''})`)

    const peers: PeerResult[] = []
    for (const r of results as Array<Omit<PeerResult, 'cpuSec'>>) {
      const usage = await readFile(usageFile(r.index), 'utf8').then((t) => JSON.parse(t) as ProcessUsage, () => undefined)
      const getCpuSec = usage?.cpuSec ?? cpuAtDone[r.index]
      if (getCpuSec === undefined) throw new Error(`Peer p${r.index} reported no CPU usage.`)
      if (usage === undefined) log(`warning: p${r.index} wrote no CPU usage at exit; counting its CPU up to its completion only`)
      const daemon = daemonCpuSec[r.index]
      peers.push({ ...r, cpuSec: getCpuSec + (daemon ?? 0), ...(daemon !== undefined ? { daemonCpuSec: daemon } : {}) })
      if (r.entry.size !== opts.sizeBytes) throw new Error(`Peer p${r.index} reported size ${r.entry.size} instead of ${opts.sizeBytes}.`)
      const sha = await sha256File(r.entry.path)
      if (sha !== s.inputSha256) throw new Error(`Peer p${r.index}'s output ${r.entry.path} has SHA-256 ${sha}, not the source's ${s.inputSha256}.`)
    }
    log(`${mode}: all ${n} outputs match the source's SHA-256`)
    const completionSec = Math.max(...peers.map((p) => p.completionSec))
    const result: PhaseResult = { completionSec, peers, trackerUploadBytes: row.servedByTracker, trackerCpuSec, loadAvg1Max }
    if (opts.counts) result.counts = await readCounts(countsFile, n)
    describe(mode, result, opts, log)
    return result
  } finally {
    if (loadTimer !== undefined) clearInterval(loadTimer)
    await Promise.all([...gets, ...daemons].map((g) => stop(g, 2000)))
    await stop(tracker, 5000)
    await rm(dir, { recursive: true, force: true }) // free the disk for the next run
  }
}

/** The counts of the tracker and the median of each count over the peers (bench/count-probe). */
async function readCounts (file: (name: string) => string, n: number): Promise<NonNullable<PhaseResult['counts']>> {
  const read = async (name: string): Promise<Record<string, number>> =>
    readFile(file(name), 'utf8').then((t) => JSON.parse(t) as Record<string, number>, () => ({}))
  const peers = await Promise.all(Array.from({ length: n }, async (_, i) => read(`p${i}`)))
  const keys = [...new Set(peers.flatMap((c) => Object.keys(c)))].sort()
  const peerMedian: Record<string, number> = {}
  for (const k of keys) peerMedian[k] = Math.round(median(peers.map((c) => c[k] ?? 0)) * 1000) / 1000
  return { peerMedian, tracker: await read('t') }
}

/** Per-peer details on stderr: where the time and the bytes went. */
function describe (mode: string, r: PhaseResult, opts: SwarmOptions, log: (msg: string) => void): void {
  const F = opts.sizeBytes
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const fromTracker = sum(r.peers.map((p) => p.entry.bytesFromTracker))
  const fromPeers = sum(r.peers.map((p) => p.entry.bytesFromPeers))
  for (const p of [...r.peers].sort((a, b) => a.completionSec - b.completionSec)) {
    const startup = p.completionSec - p.entry.transferMs / 1000
    log(`${mode}:   p${p.index}: ${p.completionSec.toFixed(2)} s = ${startup.toFixed(2)} s to the ticket + ${(p.entry.transferMs / 1000).toFixed(2)} s transfer; ` +
      `tracker ${(p.entry.bytesFromTracker / F).toFixed(3)} F, peers ${(p.entry.bytesFromPeers / F).toFixed(3)} F; ` +
      `peak RSS ${(p.entry.maxRssBytes / MB).toFixed(0)} MB, CPU ${p.cpuSec.toFixed(1)} s` +
      (p.daemonCpuSec !== undefined ? ` (daemon ${p.daemonCpuSec.toFixed(1)} s, get ${(p.cpuSec - p.daemonCpuSec).toFixed(1)} s)` : ''))
  }
  log(`${mode}: peers report ${(fromTracker / F).toFixed(3)} F from the tracker and ${(fromPeers / F).toFixed(3)} F from peers; ` +
    `the tracker counted ${(r.trackerUploadBytes / F).toFixed(3)} F uploaded; tracker CPU ${r.trackerCpuSec.toFixed(1)} s; ` +
    `max 1-min load average ${r.loadAvg1Max.toFixed(2)} on ${cpus().length} CPUs`)
  const delivered = fromTracker + fromPeers
  const c = r.counts?.peerMedian
  if (c != null) {
    log(`${mode}: per peer (median): ${c['tls.writes'] ?? 0} TLS writes (yamux: ${c['yamux.data<64B'] ?? 0} data < 64 B, ` +
      `${c['yamux.windowUpdate'] ?? 0} window updates, ${c['yamux.data>=64KiB'] ?? 0} data >= 64 KiB), ${c['tls.reads'] ?? 0} TLS reads, ` +
      `${c['tcp.dials'] ?? 0} dials and ${c['tcp.accepts'] ?? 0} accepts, ${c['fs.read'] ?? 0} file reads, ${c['fs.datasync'] ?? 0} datasyncs`)
    const t = r.counts?.tracker ?? {}
    const gc = (x: Record<string, number>): string => `${x['gc.minor'] ?? 0} scavenges, ${x['gc.major'] ?? 0} mark-compacts, ` +
      `${x['gc.pauseMs'] ?? 0} ms paused (max ${x['gc.maxPauseMs'] ?? 0} ms)`
    log(`${mode}: GC per peer (median): ${gc(c)}; tracker: ${gc(t)}`)
  }
  log(`${mode}: ${(delivered / MiB).toFixed(0)} MiB delivered in ${r.completionSec.toFixed(2)} s = ` +
    `${(delivered / MiB / r.completionSec).toFixed(1)} MiB/s of ${((mode === 'swarm' ? opts.peers + 1 : 1) * opts.rateBytesPerSec / MiB).toFixed(1)} MiB/s upload capacity`)
}
