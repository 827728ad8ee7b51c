/**
 * Swarm bench: a tracker and N peers, each a separate CLI process, every node capped at the
 * same upload rate u, all N peers fetching one file of F bytes at the same moment. Compares
 * the completion time with the Kumar–Ross lower bound max(F/u, N·F/((N+1)·u)), and runs the
 * same setup with resharing off (client-server, ≈ N·F/u) beside it. Prints one JSON object
 * to stdout; progress to stderr.
 *
 *   npm run bench:swarm -- [--peers 8] [--size 64MiB] [--rate 8MiB] [--only swarm|clientServer] [--keep]
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, MB, round3 } from './lib/args.js'
import { sha256File, writeRandomFile } from './lib/files.js'
import { CLI } from './lib/mediaswarm.js'
import { runBench } from './lib/run.js'
import { ChildError, cpuSeconds, killAll, startNode, stop, type Child } from './lib/procs.js'
import { parseSwarmArgs, trackerTransfers, waitForTrackerAddr, type SwarmOptions } from './lib/swarm.js'

const TARGETS = { ratio: 1.2, trackerUploadOverF: 1.25 }
const MiB = 1024 ** 2

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

let tmp: string | undefined
let keep = false

async function cleanup (): Promise<void> {
  await killAll()
  if (tmp !== undefined && !keep) {
    await rm(tmp, { recursive: true, force: true })
    tmp = undefined
  } else if (tmp !== undefined) {
    log(`kept ${tmp}`)
  }
}

/** One entry of a get's `--json` array. */
interface GotFile {
  name: string
  size: number
  path: string
  transferMs: number
  bytesFromTracker: number
  bytesFromPeers: number
  maxRssBytes: number
}

function isGotFile (v: any): v is GotFile {
  return typeof v?.name === 'string' && typeof v?.size === 'number' && typeof v?.path === 'string' &&
    typeof v?.transferMs === 'number' && typeof v?.bytesFromTracker === 'number' && typeof v?.bytesFromPeers === 'number'
}

interface PeerResult {
  index: number
  /** Seconds from starting the N gets to this peer's JSON result. */
  completionSec: number
  entry: GotFile
  /** CPU seconds this peer used up to its completion (seeding peers only). */
  cpuSec?: number
}

interface PhaseResult {
  completionSec: number
  peers: PeerResult[]
  trackerUploadBytes: number
  trackerCpuSec: number
  loadAvg1Max: number
}

interface Setup {
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
async function runPhase (s: Setup, mode: 'swarm' | 'clientServer'): Promise<PhaseResult> {
  const { opts } = s
  const n = opts.peers
  const share = mode === 'swarm'
  const rate = String(opts.rateBytesPerSec)
  const dir = join(s.tmp, mode)
  await mkdir(dir)
  const trackerHome = join(dir, 't')
  // everyone served by the tracker alone takes N·F/u; allow three times that, plus start-up
  const timeoutMs = 120_000 + 3 * n * opts.sizeBytes / opts.rateBytesPerSec * 1000

  const tracker = startNode('tracker', [CLI, 'tracker', '--media', s.mediaDir, '--home', trackerHome,
    '--listen', '/ip4/127.0.0.1/tcp/0', '--slots', String(n), '--max-upload-rate', rate], s.tmp)
  const gets: Child[] = []
  let loadTimer: NodeJS.Timeout | undefined
  try {
    const t = performance.now()
    const addr = await waitForTrackerAddr(tracker, trackerHome, 120_000 + opts.sizeBytes / (50 * MB) * 1000)
    log(`${mode}: tracker ready after ${((performance.now() - t) / 1000).toFixed(1)} s at ${addr}`)

    let loadAvg1Max = loadavg()[0]
    loadTimer = setInterval(() => { loadAvg1Max = Math.max(loadAvg1Max, loadavg()[0]) }, 1000)
    const trackerCpuBefore = await cpuSeconds(tracker.pid)

    const results: Array<PeerResult | undefined> = new Array(n).fill(undefined)
    let finished = 0
    let failure: Error | undefined
    let wake: (() => void) | undefined
    const woken = (): void => { wake?.() }

    const started = performance.now()
    for (let i = 0; i < n; i++) {
      const args = [CLI, 'get', s.fileName, '--tracker', addr, '--home', join(dir, `p${i}`), '-o', join(dir, `o${i}`),
        '--json', '--max-upload-rate', rate,
        ...(share ? ['--listen', '/ip4/127.0.0.1/tcp/0', '--seed'] : ['--no-share'])]
      const get = startNode(`get p${i}`, args, s.tmp)
      gets.push(get)
      // with --seed the result is one JSON line; without it a pretty-printed array that the
      // process writes as it exits: the moment its first line appears marks the completion
      let firstLineAt: number | undefined
      get.onLine((line) => {
        if (firstLineAt !== undefined || line.trim() === '') return
        firstLineAt = performance.now()
        if (share) onDone(i, get, firstLineAt)
      })
      void get.exited.then(({ code, signal }) => {
        if (results[i] !== undefined) return
        if (code === 0 && !share) onDone(i, get, firstLineAt ?? performance.now())
        if (results[i] === undefined && failure === undefined) {
          failure = new ChildError(`Peer p${i} exited (code ${code}, signal ${signal}) before finishing its download.`, get)
        }
        woken()
      })
    }

    function onDone (i: number, get: Child, at: number): void {
      if (results[i] !== undefined) return
      const text = share ? get.stdout().split('\n')[0] : get.stdout()
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch {}
      const entry = Array.isArray(parsed) ? parsed.find(isGotFile) : undefined
      if (entry === undefined) {
        failure ??= new ChildError(`Peer p${i} printed no JSON entry with name, size, path, transferMs and bytes by source (stdout: ${JSON.stringify(text.slice(0, 300))}).`, get)
        woken()
        return
      }
      const r: PeerResult = { index: i, completionSec: (at - started) / 1000, entry }
      results[i] = r
      finished++
      if (share) void cpuSeconds(get.pid).then((c) => { r.cpuSec = c }, () => {})
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

    const transfers = await trackerTransfers(CLI, addr, join(dir, 's'), s.tmp)
    const row = transfers.find((t) => t.path === s.fileName || t.path.split('/').pop() === s.fileName)
    if (row === undefined) throw new Error(`The tracker's status lists no transfers of ${s.fileName}.`)

    // all finished: stop the seeders and the tracker
    const exits = await Promise.all(gets.map(async (g) => ({ g, e: await stop(g, 10_000) })))
    for (const { g, e } of exits) {
      if (e.killed || (e.code !== 0 && e.signal !== 'SIGTERM')) {
        log(`warning: ${g.name} did not exit cleanly (code ${e.code}, signal ${e.signal}${e.killed ? ', needed SIGKILL' : ''})`)
      }
    }
    const te = await stop(tracker, 10_000)
    if (te.killed || te.code !== 0) log(`warning: the tracker did not exit cleanly (code ${te.code}, signal ${te.signal}${te.killed ? ', needed SIGKILL' : ''})`)

    const peers = results as PeerResult[]
    for (const p of peers) {
      if (p.entry.size !== opts.sizeBytes) throw new Error(`Peer p${p.index} reported size ${p.entry.size} instead of ${opts.sizeBytes}.`)
      const sha = await sha256File(p.entry.path)
      if (sha !== s.inputSha256) throw new Error(`Peer p${p.index}'s output ${p.entry.path} has SHA-256 ${sha}, not the source's ${s.inputSha256}.`)
    }
    log(`${mode}: all ${n} outputs match the source's SHA-256`)
    const completionSec = Math.max(...peers.map((p) => p.completionSec))
    const result: PhaseResult = { completionSec, peers, trackerUploadBytes: row.servedByTracker, trackerCpuSec, loadAvg1Max }
    describe(mode, result, opts)
    await rm(dir, { recursive: true, force: true }) // free the disk for the next run
    return result
  } finally {
    if (loadTimer !== undefined) clearInterval(loadTimer)
    await Promise.all(gets.map((g) => stop(g, 2000)))
    await stop(tracker, 5000)
  }
}

/** Per-peer details on stderr: where the time and the bytes went. */
function describe (mode: string, r: PhaseResult, opts: SwarmOptions): void {
  const F = opts.sizeBytes
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
  const fromTracker = sum(r.peers.map((p) => p.entry.bytesFromTracker))
  const fromPeers = sum(r.peers.map((p) => p.entry.bytesFromPeers))
  for (const p of [...r.peers].sort((a, b) => a.completionSec - b.completionSec)) {
    const startup = p.completionSec - p.entry.transferMs / 1000
    log(`${mode}:   p${p.index}: ${p.completionSec.toFixed(2)} s = ${startup.toFixed(2)} s to the ticket + ${(p.entry.transferMs / 1000).toFixed(2)} s transfer; ` +
      `tracker ${(p.entry.bytesFromTracker / F).toFixed(3)} F, peers ${(p.entry.bytesFromPeers / F).toFixed(3)} F; ` +
      `peak RSS ${(p.entry.maxRssBytes / MB).toFixed(0)} MB${p.cpuSec !== undefined ? `, CPU ${p.cpuSec.toFixed(1)} s` : ''}`)
  }
  log(`${mode}: peers report ${(fromTracker / F).toFixed(3)} F from the tracker and ${(fromPeers / F).toFixed(3)} F from peers; ` +
    `the tracker counted ${(r.trackerUploadBytes / F).toFixed(3)} F uploaded; tracker CPU ${r.trackerCpuSec.toFixed(1)} s; ` +
    `max 1-min load average ${r.loadAvg1Max.toFixed(2)} on ${cpus().length} CPUs`)
  // aggregate upload capacity actually used: every byte delivered over the time the last peer needed
  const delivered = fromTracker + fromPeers
  log(`${mode}: ${(delivered / MiB).toFixed(0)} MiB delivered in ${r.completionSec.toFixed(2)} s = ` +
    `${(delivered / MiB / r.completionSec).toFixed(1)} MiB/s of ${((mode === 'swarm' ? opts.peers + 1 : 1) * opts.rateBytesPerSec / MiB).toFixed(1)} MiB/s upload capacity`)
}

async function main (opts: SwarmOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  tmp = await mkdtemp(join(tmpdir(), 'mediaswarm-swarm-'))
  keep = opts.keep
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const fileName = `random-${opts.sizeBytes}.bin`
  const file = join(mediaDir, fileName)
  log(`writing ${opts.sizeBytes} pseudo-random bytes to ${file}`)
  await writeRandomFile(file, opts.sizeBytes)
  const inputSha256 = await sha256File(file)
  const setup: Setup = { tmp, mediaDir, fileName, inputSha256, opts }

  const N = opts.peers
  const F = opts.sizeBytes
  const u = opts.rateBytesPerSec
  const lowerBoundSec = Math.max(F / u, N * F / ((N + 1) * u))
  log(`${N} peers, F = ${(F / MiB).toFixed(1)} MiB, u = ${(u / MiB).toFixed(2)} MiB/s: lower bound ${lowerBoundSec.toFixed(2)} s, ` +
    `client-server ≈ ${(N * F / u).toFixed(2)} s; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)

  let swarm: PhaseResult | undefined
  if (opts.only !== 'clientServer') {
    swarm = await runPhase(setup, 'swarm')
    log(`swarm: ${swarm.completionSec.toFixed(2)} s, ${(swarm.completionSec / lowerBoundSec).toFixed(3)} × the lower bound; ` +
      `tracker upload ${(swarm.trackerUploadBytes / F).toFixed(3)} F`)
  }
  let clientServer: PhaseResult | undefined
  if (opts.only !== 'swarm') {
    clientServer = await runPhase(setup, 'clientServer')
    log(`client-server: ${clientServer.completionSec.toFixed(2)} s (expected ≈ ${(N * F / u).toFixed(2)} s)`)
  }

  const result = {
    peers: N,
    sizeBytes: F,
    rateBytesPerSec: u,
    swarm: swarm === undefined ? null : swarmSummary(swarm, lowerBoundSec, F),
    clientServer: clientServer === undefined
      ? null
      : {
          completionSec: round3(clientServer.completionSec),
          expectedSec: round3(N * F / u),
          trackerUploadOverF: round3(clientServer.trackerUploadBytes / F)
        },
    targets: TARGETS,
    // context for the times above: T counts each get's process start-up, which a busy CPU stretches
    machine: { cpus: cpus().length, loadAvg1Max: round3(Math.max(swarm?.loadAvg1Max ?? 0, clientServer?.loadAvg1Max ?? 0)) },
    node: process.version
  }
  console.log(JSON.stringify(result))
}

function swarmSummary (swarm: PhaseResult, lowerBoundSec: number, F: number): Record<string, unknown> {
  const perPeer = swarm.peers.map((p) => p.completionSec)
  return {
    completionSec: round3(swarm.completionSec),
    perPeerSec: { min: round3(Math.min(...perPeer)), median: round3(median(perPeer)), max: round3(Math.max(...perPeer)) },
    lowerBoundSec: round3(lowerBoundSec),
    ratio: round3(swarm.completionSec / lowerBoundSec),
    trackerUploadBytes: swarm.trackerUploadBytes,
    trackerUploadOverF: round3(swarm.trackerUploadBytes / F)
  }
}

await runBench(async () => { await main(parseSwarmArgs(process.argv.slice(2))) }, cleanup)
