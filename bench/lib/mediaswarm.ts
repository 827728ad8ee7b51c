import { readFile, rm, stat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MB } from './args.js'
import { sha256File } from './files.js'
import { waitForTrackerAddr } from './swarm.js'
import type { ProcessUsage } from './usage.js'
import { ChildError, cpuSeconds, expectCleanExit, startNode, stop, vmHwmBytes, type Child } from './procs.js'

/** The CLI entry, relative to this file once compiled (dist/bench/lib → dist/cli). */
export const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url))
/** Preloaded into the CLI processes: writes their CPU time and peak RSS at exit. */
export const USAGE_PROBE = new URL('../usage-probe.js', import.meta.url).href
/** Preloaded with the swarm bench's `--counts`: counts writes, reads, connections, file calls (see bench/count-probe.ts). */
export const COUNT_PROBE = new URL('../count-probe.js', import.meta.url).href

/** One `get` of the file from the tracker. */
export interface MediaswarmGet {
  transferMs: number
  mbps: number
  peerPeakRssBytes: number
  /** CPU seconds the tracker used while this get ran. */
  trackerCpuSeconds: number
  /** CPU seconds of the whole get process (start-up, connect, transfer, exit). */
  getCpuSeconds: number
  /** Wall time of the whole get process, ms. */
  getWallMs: number
}

export interface MediaswarmRun {
  /** The first get after the tracker started: its serving path runs while V8 still compiles it. */
  cold: MediaswarmGet
  /** The same file fetched again by a new get process from the same, now warm, tracker. */
  warm: MediaswarmGet
  trackerPeakRssBytes: number
  /** How long the tracker took from start to writing tracker.addr (includes hashing). */
  trackerReadyMs: number
}

export interface MediaswarmSetup {
  tmp: string
  mediaDir: string
  fileName: string
  sizeBytes: number
  inputSha256: string
  run: number
  timeoutMs: number
  /** Write V8 CPU profiles (`--cpu-prof`) of the tracker and the get here. */
  profileDir?: string
}

interface GetEntry { name: string, size: number, transferMs: number, maxRssBytes: number, path?: string }

function isGetEntry (v: any): v is GetEntry {
  return typeof v?.name === 'string' && typeof v?.size === 'number' &&
    typeof v?.transferMs === 'number' && typeof v?.maxRssBytes === 'number'
}

/** Finds the get's JSON array in its stdout (the whole output, or its last line that parses). */
function parseGetOutput (stdout: string): unknown {
  try { return JSON.parse(stdout) } catch {}
  const lines = stdout.trim().split('\n').reverse()
  for (const line of lines) {
    try { return JSON.parse(line) } catch {}
  }
  const start = stdout.indexOf('[')
  if (start >= 0) { try { return JSON.parse(stdout.slice(start)) } catch {} }
  return undefined
}

/**
 * Two tracker → peer transfers of the same file with the real CLI processes, one after the
 * other from one tracker (each a new `get` process with its own home); verifies both outputs.
 * The first shows what a freshly started tracker costs, the second what a running one does.
 */
export async function runMediaswarm (s: MediaswarmSetup, log: (msg: string) => void): Promise<MediaswarmRun> {
  const trackerHome = join(s.tmp, 'tracker-home') // kept across runs: its hash cache makes restarts quick
  const started = Date.now()
  await rm(join(trackerHome, 'tracker.addr'), { force: true })
  const nodeArgs = ['--import', USAGE_PROBE, ...(s.profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', s.profileDir] : [])]
  const tracker = startNode('tracker', [...nodeArgs, CLI, 'tracker', '--media', s.mediaDir, '--all-files', '--home', trackerHome,
    '--listen', '/ip4/127.0.0.1/tcp/0'], s.tmp)
  try {
    const addr = await waitForTrackerAddr(tracker, trackerHome, 120_000 + s.sizeBytes / (50 * MB) * 1000)
    const trackerReadyMs = Date.now() - started
    log(`tracker ready after ${(trackerReadyMs / 1000).toFixed(1)} s at ${addr}`)
    const cold = await oneGet(s, tracker, addr, nodeArgs, `${s.run}-cold`, log)
    const warm = await oneGet(s, tracker, addr, nodeArgs, `${s.run}-warm`, log)
    const trackerPeakRssBytes = await vmHwmBytes(tracker.pid)
    const exit = await stop(tracker, 10_000)
    if (exit.killed || exit.code !== 0) {
      log(`warning: the tracker did not exit cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}${exit.killed ? ', needed SIGKILL' : ''}); stderr tail:\n${tracker.stderrTail()}`)
    }
    return { cold, warm, trackerPeakRssBytes, trackerReadyMs }
  } finally {
    await stop(tracker, 5000)
  }
}

async function oneGet (s: MediaswarmSetup, tracker: Child, addr: string, nodeArgs: string[], tag: string, log: (msg: string) => void): Promise<MediaswarmGet> {
  const peerHome = join(s.tmp, `peer-home-${tag}`)
  const outDir = join(s.tmp, `out-${tag}`)
  const getUsage = join(s.tmp, `get-usage-${tag}.json`)
  const cpuBefore = await cpuSeconds(tracker.pid)
  const getStarted = performance.now()
  const get = startNode('get', [...nodeArgs, CLI, 'get', s.fileName, '--tracker', addr, '--home', peerHome, '-o', outDir, '--json'],
    s.tmp, { MEDIASWARM_BENCH_USAGE: getUsage })
  try {
    await expectCleanExit(get, s.timeoutMs)
    const getWallMs = performance.now() - getStarted
    const trackerCpuSeconds = await cpuSeconds(tracker.pid) - cpuBefore
    const getCpuSeconds = (JSON.parse(await readFile(getUsage, 'utf8')) as ProcessUsage).cpuSec
    const parsed = parseGetOutput(get.stdout())
    const entries = Array.isArray(parsed) ? parsed : []
    const entry = entries.find((e) => isGetEntry(e) && e.name.split('/').pop() === s.fileName) as GetEntry | undefined
    if (entry === undefined) {
      throw new ChildError(`The get process printed no JSON entry with name, size, transferMs and maxRssBytes for ${s.fileName} (stdout: ${JSON.stringify(get.stdout().slice(0, 500))}).`, get)
    }
    if (entry.size !== s.sizeBytes) throw new Error(`The get reported size ${entry.size} instead of ${s.sizeBytes}.`)
    if (!(entry.transferMs > 0)) throw new Error(`The get reported a transferMs of ${entry.transferMs}.`)
    const outPath = await locateOutput(entry, outDir, s.fileName, s.tmp)
    log(`verifying ${outPath}`)
    const outSha = await sha256File(outPath)
    if (outSha !== s.inputSha256) {
      throw new Error(`The downloaded file's SHA-256 ${outSha} differs from the input's ${s.inputSha256}.`)
    }
    // free the disk for the next get
    await rm(outDir, { recursive: true, force: true })
    await rm(peerHome, { recursive: true, force: true })
    return {
      transferMs: entry.transferMs,
      mbps: s.sizeBytes / MB / (entry.transferMs / 1000),
      peerPeakRssBytes: entry.maxRssBytes,
      trackerCpuSeconds,
      getCpuSeconds,
      getWallMs
    }
  } finally {
    await stop(get, 2000)
  }
}

/** `-o` may name a directory (file inside it) or the file itself; the JSON may carry a path. */
async function locateOutput (entry: GetEntry, outDir: string, fileName: string, cwd: string): Promise<string> {
  const candidates = [
    ...(typeof entry.path === 'string' ? [isAbsolute(entry.path) ? entry.path : join(cwd, entry.path)] : []),
    join(outDir, fileName),
    join(outDir, entry.name),
    outDir
  ]
  for (const c of candidates) {
    const st = await stat(c).catch(() => undefined)
    if (st?.isFile() === true) return c
  }
  throw new Error(`The downloaded file is not in ${outDir}.`)
}
