/**
 * Swarm bench: a tracker and N peers, each a separate CLI process, every node capped at the
 * same upload rate u, all N peers fetching one file of F bytes at the same moment; repeated
 * `--repeat K` times with fresh processes. Per run: completion time over the Kumar–Ross
 * lower bound max(F/u, N·F/((N+1)·u)), the tracker's upload over F, duplicate bytes received
 * over F, and CPU seconds (all processes) per GiB delivered; failed runs are counted, not
 * fatal. The same setup with resharing off (client-server, ≈ N·F/u) runs once beside it.
 * Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:swarm -- [--peers 8] [--size 64MiB] [--rate 8MiB] [--repeat 1] [--only swarm|clientServer] [--daemons] [--keep] [--counts]
 *
 * By default each peer is one `get --seed` process, start-up included in its CPU (with V8's
 * code cache in the user's cache folder, cli/launch.ts, as for anyone who ran mediaswarm once
 * since installing it: the first run after a build writes it; `MEDIASWARM_CODE_CACHE=off`
 * measures cold starts; the JSON's `machine.codeCache` says which). With
 * `--daemons` the swarm runs' peers are long-running `peer` daemons, started and connected
 * to the tracker before the clock starts, each asked for the file by a `get` on its home: a
 * peer's CPU is then its daemon's from the start of the gets to the last completion plus
 * the whole `get` client's (the steady state of peers that stay up).
 *
 * Per run it also reports the first and the last ticket, the ratio after the first ticket (the
 * transfer without the start-up) and all the CPU seconds over the cores (at 8 MiB/s on 2 cores
 * the run is CPU-bound: the completion is close to that). MEDIASWARM_BENCH_LOG_DIR=DIR keeps
 * every child's stderr in DIR (with DEBUG=mediaswarm:... a timeline of the run).
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { codeCacheDir } from '../cli/launch.js'
import { median, round3 } from './lib/args.js'
import { sha256File, writeRandomFile } from './lib/files.js'
import { CLI } from './lib/mediaswarm.js'
import { ChildError, DROPS_EXTRA_CA_CERTS, childEnv, killAll } from './lib/procs.js'
import { BenchDir, runBench } from './lib/run.js'
import { parseSwarmArgs, type SwarmOptions } from './lib/swarm.js'
import { runPhase, type PhaseResult, type PhaseSetup } from './lib/swarm-phase.js'

/** The targets: ratio ≤ 1.2 at 2 MiB/s and ≤ 1.6 at 8 MiB/s on a 2-core machine. */
const TARGETS = { failedRuns: 0, ratioAt2MiBps: 1.2, ratioAt8MiBps: 1.6, trackerUploadOverF: 1.05, cpuSecPerGiBDelivered: 30 }
const MiB = 1024 ** 2
const GiB = 1024 ** 3

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

const work = new BenchDir(log)

/** The figures of one successful swarm run. */
interface RunFigures {
  run: number
  completionSec: number
  ratio: number
  trackerUploadOverF: number
  duplicateOverF: number
  cpuSecPerGiBDelivered: number
  trackerCpuSec: number
  peersCpuSec: number
  /** The first and the last peer's ticket, seconds after the gets started (start-up, connect, catalogue, manifest, queue). */
  firstTicketSec: number
  lastTicketSec: number
  /** (completion − first ticket) / lower bound: the transfer alone, the start-up left out. */
  ratioAfterFirstTicket: number
  /**
   * All the CPU seconds of the run over the machine's cores: the wall time the run needs at
   * the least when the CPU is the limit (on 2 cores at 8 MiB/s it is close to the completion).
   */
  cpuSecOverCores: number
  /** With `--counts` (see bench/count-probe.ts). */
  counts?: PhaseResult['counts']
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

/**
 * Duplicates: when every get reports `bytesReceived` (all piece bytes, duplicates included),
 * those minus the verified bytes; otherwise only what the tracker sent beyond what peers
 * kept from it (a lower bound: duplicates between peers are then not seen).
 */
function duplicates (r: PhaseResult): { bytes: number, source: 'peers' | 'tracker' } {
  if (r.peers.every((p) => typeof p.entry.bytesReceived === 'number')) {
    return { bytes: sum(r.peers.map((p) => p.entry.bytesReceived! - p.entry.bytesFromTracker - p.entry.bytesFromPeers)), source: 'peers' }
  }
  return { bytes: Math.max(0, r.trackerUploadBytes - sum(r.peers.map((p) => p.entry.bytesFromTracker))), source: 'tracker' }
}

function figures (run: number, r: PhaseResult, lowerBoundSec: number, F: number): RunFigures {
  const delivered = sum(r.peers.map((p) => p.entry.bytesFromTracker + p.entry.bytesFromPeers))
  const peersCpuSec = sum(r.peers.map((p) => p.cpuSec))
  const tickets = r.peers.map((p) => p.completionSec - p.entry.transferMs / 1000)
  return {
    run,
    completionSec: round3(r.completionSec),
    ratio: round3(r.completionSec / lowerBoundSec),
    trackerUploadOverF: round3(r.trackerUploadBytes / F),
    duplicateOverF: round3(duplicates(r).bytes / F),
    cpuSecPerGiBDelivered: round3((r.trackerCpuSec + peersCpuSec) / (delivered / GiB)),
    trackerCpuSec: round3(r.trackerCpuSec),
    peersCpuSec: round3(peersCpuSec),
    firstTicketSec: round3(Math.min(...tickets)),
    lastTicketSec: round3(Math.max(...tickets)),
    ratioAfterFirstTicket: round3((r.completionSec - Math.min(...tickets)) / lowerBoundSec),
    cpuSecOverCores: round3((r.trackerCpuSec + peersCpuSec) / cpus().length),
    ...(r.counts != null ? { counts: r.counts } : {})
  }
}

/** Median and worst of one figure over the successful runs. */
function spread (runs: RunFigures[], key: Exclude<keyof RunFigures, 'counts'>, worst: 'max' | 'min' = 'max'): { median: number, worst: number } | null {
  if (runs.length === 0) return null
  const xs = runs.map((r) => r[key])
  return { median: round3(median(xs)), worst: round3(worst === 'max' ? Math.max(...xs) : Math.min(...xs)) }
}

/** One line saying why a run failed: the error, and the failed process's last stderr line. */
function why (e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  const tail = e instanceof ChildError ? e.child.stderrTail().trim().split('\n').pop() : undefined
  return tail !== undefined && tail !== '' ? `${msg} (${e instanceof ChildError ? e.child.name : ''}: ${tail})` : msg
}

async function main (opts: SwarmOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  const tmp = await work.create('mediaswarm-swarm-', opts.keep)
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const fileName = `random-${opts.sizeBytes}.bin`
  const file = join(mediaDir, fileName)
  log(`writing ${opts.sizeBytes} pseudo-random bytes to ${file}`)
  await writeRandomFile(file, opts.sizeBytes)
  const inputSha256 = await sha256File(file)
  const setup: PhaseSetup = { tmp, mediaDir, fileName, inputSha256, opts }

  const N = opts.peers
  const F = opts.sizeBytes
  const u = opts.rateBytesPerSec
  const lowerBoundSec = Math.max(F / u, N * F / ((N + 1) * u))
  const loadAvg1AtStart = round3(loadavg()[0])
  log(`${N} peers, F = ${(F / MiB).toFixed(1)} MiB, u = ${(u / MiB).toFixed(2)} MiB/s: lower bound ${lowerBoundSec.toFixed(2)} s, ` +
    `client-server ≈ ${(N * F / u).toFixed(2)} s; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`)

  const runs: RunFigures[] = []
  const failures: Array<{ run: number, error: string }> = []
  let loadAvg1Max = 0
  let duplicateSource: 'peers' | 'tracker' | undefined
  if (opts.only !== 'clientServer') {
    for (let run = 1; run <= opts.repeat; run++) {
      const tag = opts.repeat > 1 ? ` run ${run}/${opts.repeat}` : ''
      try {
        const r = await runPhase(setup, 'swarm', run, log)
        const f = figures(run, r, lowerBoundSec, F)
        runs.push(f)
        loadAvg1Max = Math.max(loadAvg1Max, r.loadAvg1Max)
        duplicateSource = duplicateSource === 'tracker' ? 'tracker' : duplicates(r).source
        log(`swarm${tag}: ${f.completionSec.toFixed(2)} s = ${f.ratio.toFixed(3)} × the lower bound; tracker upload ${f.trackerUploadOverF.toFixed(3)} F; ` +
          `duplicates ${f.duplicateOverF.toFixed(3)} F; ${f.cpuSecPerGiBDelivered.toFixed(1)} CPU-s per GiB delivered; ` +
          `tickets ${f.firstTicketSec.toFixed(2)}–${f.lastTicketSec.toFixed(2)} s, ${f.ratioAfterFirstTicket.toFixed(3)} × the bound after the first; ` +
          `CPU-s / cores ${f.cpuSecOverCores.toFixed(2)} s`)
      } catch (e) {
        failures.push({ run, error: why(e) })
        log(`swarm${tag} FAILED: ${why(e)}`)
        await killAll()
      }
    }
  }
  let clientServer: PhaseResult | undefined
  if (opts.only !== 'swarm') {
    clientServer = await runPhase(setup, 'clientServer', 1, log)
    loadAvg1Max = Math.max(loadAvg1Max, clientServer.loadAvg1Max)
    log(`client-server: ${clientServer.completionSec.toFixed(2)} s (expected ≈ ${(N * F / u).toFixed(2)} s)`)
  }

  const result = {
    peers: N,
    sizeBytes: F,
    rateBytesPerSec: u,
    swarm: opts.only === 'clientServer'
      ? null
      : {
          lowerBoundSec: round3(lowerBoundSec),
          peerProcesses: opts.daemons ? 'peer daemons asked by get' : 'get --seed',
          runs: opts.repeat,
          failedRuns: failures.length,
          ratio: spread(runs, 'ratio'),
          trackerUploadOverF: spread(runs, 'trackerUploadOverF'),
          duplicateOverF: spread(runs, 'duplicateOverF'),
          // 'tracker': the get does not report bytesReceived, so only the tracker's surplus is counted
          duplicateSource: duplicateSource ?? null,
          cpuSecPerGiBDelivered: spread(runs, 'cpuSecPerGiBDelivered'),
          firstTicketSec: spread(runs, 'firstTicketSec'),
          lastTicketSec: spread(runs, 'lastTicketSec'),
          ratioAfterFirstTicket: spread(runs, 'ratioAfterFirstTicket'),
          cpuSecOverCores: spread(runs, 'cpuSecOverCores'),
          perRun: runs,
          failures
        },
    clientServer: clientServer === undefined
      ? null
      : {
          completionSec: round3(clientServer.completionSec),
          expectedSec: round3(N * F / u),
          trackerUploadOverF: round3(clientServer.trackerUploadBytes / F),
          cpuSecPerGiBDelivered: round3((clientServer.trackerCpuSec + sum(clientServer.peers.map((p) => p.cpuSec))) / (N * F / GiB))
        },
    targets: TARGETS,
    // context for the times above: T counts each get's process start-up, which a busy CPU stretches
    machine: { cpus: cpus().length, loadAvg1AtStart, loadAvg1Max: round3(loadAvg1Max), childrenWithoutNodeExtraCaCerts: DROPS_EXTRA_CA_CERTS, codeCache: codeCacheDir(childEnv()) ?? 'off' },
    node: process.version
  }
  console.log(JSON.stringify(result))
}

await runBench(async () => { await main(parseSwarmArgs(process.argv.slice(2))) }, work.cleanup)
