/**
 * Soak bench: one tracker and about 20 peers churning against it for --minutes M, every node a
 * real CLI process. Peers join, download (each output checked against the source's SHA-256),
 * seed for a while and leave; some are killed with SIGKILL mid-download or while seeding, some
 * come back with their old home (resuming a partial download, or resharing with `peer`). The
 * tracker's RSS is sampled throughout and once more after everyone left: a leak shows as a
 * line that keeps rising. Prints one JSON object to stdout; progress goes to stderr.
 *
 *   npm run soak -- [--minutes 2] [--peers 20] [--files 4] [--size 3MiB] [--seed N] [--keep]
 */
import { existsSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { median } from './lib/args.js'
import { sha256File, writeRandomFile } from './lib/files.js'
import { CLI } from './lib/mediaswarm.js'
import { BenchDir, runBench } from './lib/run.js'
import { ChildError, sleep, startNode, stop, vmHwmBytes, waitForJsonLine, type Child } from './lib/procs.js'
import { Rng, parseSoakArgs, round1, trackerStatus, vmRssBytes, type SoakOptions, type StatusQueue } from './lib/soak.js'
import { waitForTrackerAddr } from './lib/swarm.js'

const MiB = 1024 ** 2
/** A download (from spawning `get` to its JSON) taking longer than this is a failure. */
const DOWNLOAD_TIMEOUT_MS = 120_000
/** A process told to stop (SIGTERM) must have exited by then. */
const STOP_GRACE_MS = 10_000
/** The tracker's default grace period: a killed peer's queue entries are dropped after it. */
const TRACKER_GRACE_MS = 15_000

const t0 = Date.now()
const log = (msg: string): void => { console.error(`[soak ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`) }

/** Resolves with `promise`'s value, or undefined after `ms` (the timer does not outlive it). */
async function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<undefined>(resolve => { timer = setTimeout(() => { resolve(undefined) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}

interface MediaFile { name: string, size: number, sha256: string }
interface Home { dir: string, hasData: boolean, busy: boolean }
/** One entry of `get --json`. */
interface GotFile { name: string, size: number, path: string, transferMs: number }

function isGotList (v: any): v is GotFile[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0]?.name === 'string' && typeof v[0]?.size === 'number' && typeof v[0]?.path === 'string'
}

/** What happens to one peer process. */
type Action = 'get-seed' | 'get-killed-mid-download' | 'get-no-share' | 'peer'

interface Counters {
  peersStarted: number
  downloads: number
  filesVerified: number
  killed: number
  cleanExits: number
  byAction: Record<Action, number>
  /** From spawning `get` to its JSON (start-up, queue and transfer). */
  downloadMs: number[]
  /** From the grant to the last verified piece, as `get` reports it (0 when already cached: left out). */
  transferMs: number[]
  failures: string[]
}

const work = new BenchDir(log)

function tail (child: Child): string {
  const t = child.stderrTail().trim().split('\n').slice(-3).join(' | ')
  return t === '' ? '' : ` (stderr: ${t.slice(0, 400)})`
}

async function main (opts: SoakOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  const tmp = await work.create('mediaswarm-soak-', opts.keep)
  const rng = new Rng(opts.seed)
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const files: MediaFile[] = []
  for (let i = 0; i < opts.files; i++) {
    const name = `soak-${i}.bin`
    const size = Math.round(opts.sizeBytes * (0.75 + rng.next() / 2))
    await writeRandomFile(join(mediaDir, name), size)
    files.push({ name, size, sha256: await sha256File(join(mediaDir, name)) })
  }
  log(`${files.length} files of ${files.map(f => (f.size / MiB).toFixed(1)).join(', ')} MiB in ${mediaDir}; seed ${opts.seed}`)

  const trackerHome = join(tmp, 'tracker')
  const tracker = startNode('tracker', [CLI, 'tracker', '--media', mediaDir, '--all-files', '--home', trackerHome, '--listen', '/ip4/127.0.0.1/tcp/0'], tmp)
  const addr = await waitForTrackerAddr(tracker, trackerHome, 120_000)
  log(`tracker ${tracker.pid} ready at ${addr}`)

  const c: Counters = {
    peersStarted: 0, downloads: 0, filesVerified: 0, killed: 0, cleanExits: 0,
    byAction: { 'get-seed': 0, 'get-killed-mid-download': 0, 'get-no-share': 0, peer: 0 },
    downloadMs: [],
    transferMs: [],
    failures: []
  }
  const fail = (msg: string): void => { c.failures.push(msg); log(`FAILURE: ${msg}`) }
  let stopping = false
  let trackerDied = false
  void tracker.exited.then(({ code, signal }) => {
    if (stopping) return
    trackerDied = true
    fail(`the tracker exited during the soak (code ${code}, signal ${signal})${tail(tracker)}`)
  })

  // RSS of the tracker, every few seconds
  const samples: number[] = []
  const sample = async (): Promise<void> => {
    try { samples.push(round1(await vmRssBytes(tracker.pid) / MiB)) } catch { /* exited */ }
  }
  await sample()
  let running = 0
  const sampler = setInterval(() => { void sample() }, opts.sampleSec * 1000)
  const progress = setInterval(() => {
    log(`${running} peer processes running; ${c.peersStarted} started, ${c.downloads} downloads, ${c.killed} killed, ${c.failures.length} failures; tracker RSS ${samples[samples.length - 1] ?? '?'} MB`)
  }, 10_000)

  const homes: Home[] = []
  const takeHome = (withData: boolean): Home | undefined => {
    const free = homes.filter(h => !h.busy && (!withData || h.hasData))
    // half of the time a returning peer (its identity and cache), else a newcomer
    let home = withData || (free.length > 0 && rng.chance(0.5)) ? (free.length > 0 ? rng.pick(free) : undefined) : undefined
    if (home == null && !withData) {
      home = { dir: join(tmp, 'homes', `h${homes.length}`), hasData: false, busy: false }
      homes.push(home)
    }
    if (home != null) home.busy = true
    return home
  }

  let serial = 0
  const startedAt = Date.now()
  const deadline = startedAt + opts.minutes * 60_000
  const live = (): boolean => Date.now() < deadline && !trackerDied

  /** Sleeps `ms`, cut short at the deadline. */
  const linger = async (ms: number): Promise<void> => { await sleep(Math.max(0, Math.min(ms, deadline - Date.now()))) }

  /** SIGTERM (expecting exit code `expected`) or SIGKILL, as the dice say. */
  const leave = async (child: Child, what: string, killProbability: number, expected: number): Promise<void> => {
    if (rng.chance(killProbability)) {
      c.killed++
      await stop(child, 0, 'SIGKILL')
      return
    }
    const exit = await stop(child, STOP_GRACE_MS)
    if (exit.killed) fail(`${what} did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM${tail(child)}`)
    else if (exit.code !== expected) fail(`${what} exited with code ${exit.code} (signal ${exit.signal}) on SIGTERM, not ${expected}${tail(child)}`)
    else c.cleanExits++
  }

  /** Checks a get's JSON entry against the source and removes the output. */
  const verify = async (child: Child, file: MediaFile, got: GotFile[], outDir: string, ms: number): Promise<void> => {
    const entry = got.find(g => g.name === file.name)
    if (entry == null) { fail(`${child.name} printed no entry for ${file.name}`); return }
    c.downloads++
    c.downloadMs.push(ms)
    if (entry.transferMs > 0) c.transferMs.push(entry.transferMs)
    if (entry.size !== file.size) { fail(`${child.name} reported ${entry.size} bytes for ${file.name}, not ${file.size}`); return }
    const sha = await sha256File(entry.path).catch(() => 'missing')
    if (sha !== file.sha256) { fail(`${child.name}: ${entry.path} has SHA-256 ${sha}, not ${file.sha256}`); return }
    c.filesVerified++
    await rm(outDir, { recursive: true, force: true })
  }

  async function lifecycle (): Promise<void> {
    let action: Action = rng.pick<Action>(['get-seed', 'get-seed', 'get-seed', 'get-seed', 'get-killed-mid-download', 'get-no-share', 'peer', 'peer'])
    let home = action === 'peer' ? takeHome(true) : undefined
    if (home == null) {
      if (action === 'peer') action = 'get-seed'
      home = takeHome(false) as Home
    }
    c.byAction[action]++
    const n = serial++
    const file = rng.pick(files)
    const outDir = join(tmp, 'out', String(n))
    const listen = ['--listen', '/ip4/127.0.0.1/tcp/0']
    try {
      if (action === 'peer') {
        const child = startNode(`peer#${n}`, [CLI, 'peer', '--tracker', addr, '--home', home.dir, ...listen, '--json'], tmp)
        c.peersStarted++
        try {
          await waitForJsonLine(child, (v: any): v is { event: string } => v?.event === 'sharing', 30_000)
        } catch (err) {
          fail(`${child.name} did not start sharing: ${(err as Error).message}${tail(child)}`)
          await stop(child, 2000)
          return
        }
        await linger(rng.range(4000, 12_000))
        await leave(child, child.name, 0.3, 0)
        return
      }
      const args = [CLI, 'get', file.name, '--tracker', addr, '--home', home.dir, '-o', outDir, '--json',
        ...(action === 'get-no-share' ? ['--no-share'] : [...listen, '--seed'])]
      const spawned = Date.now()
      const child = startNode(`get#${n}`, args, tmp)
      c.peersStarted++
      if (action === 'get-no-share') {
        // prints its JSON (pretty) as it exits
        const exit = await withTimeout(child.exited, DOWNLOAD_TIMEOUT_MS)
        if (exit === undefined) { fail(`${child.name} did not finish within ${DOWNLOAD_TIMEOUT_MS / 1000} s${tail(child)}`); await stop(child, 2000); return }
        if (exit.code !== 0) { fail(`${child.name} exited with code ${exit.code} (signal ${exit.signal})${tail(child)}`); return }
        let got: unknown
        try { got = JSON.parse(child.stdout()) } catch {}
        if (!isGotList(got)) { fail(`${child.name} printed no JSON list${tail(child)}`); return }
        home.hasData = true
        c.cleanExits++
        await verify(child, file, got, outDir, Date.now() - spawned)
        return
      }
      const result = waitForJsonLine(child, isGotList, DOWNLOAD_TIMEOUT_MS).then(v => ({ got: v }), (e: Error) => ({ error: e }))
      if (action === 'get-killed-mid-download') {
        const killAt = rng.range(150, 2500)
        const first = await withTimeout(result, killAt)
        if (first === undefined) {
          c.killed++
          await stop(child, 0, 'SIGKILL')
          home.hasData = true // perhaps a part of the file: the next one to use this home resumes
          return
        }
      }
      const r = await result
      if ('error' in r) { fail(`${child.name}: ${r.error.message}${tail(child)}`); await stop(child, 2000); return }
      home.hasData = true
      await verify(child, file, r.got, outDir, Date.now() - spawned)
      await linger(rng.range(3000, 12_000))
      await leave(child, child.name, 0.3, 0)
    } finally {
      home.busy = false
    }
  }

  await Promise.all(Array.from({ length: opts.peers }, async (_, slot) => {
    await sleep(slot * 250) // a staggered start
    while (live()) {
      running++
      try {
        await lifecycle()
      } catch (err) {
        fail(`slot ${slot}: ${(err as Error).message}${err instanceof ChildError ? tail(err.child) : ''}`)
      } finally {
        running--
      }
    }
  }))
  clearInterval(progress)
  const churnSec = (Date.now() - startedAt) / 1000
  log(`churn over after ${churnSec.toFixed(0)} s: ${c.peersStarted} peers started, ${c.downloads} downloads, ${c.killed} killed, ${c.failures.length} failures`)

  // everyone has left; the tracker's grace period runs out, then the last samples
  let queueAfter: StatusQueue | undefined
  let connectedAfter: number | undefined
  if (!trackerDied) {
    log(`settling for ${opts.settleSec} s (the tracker's grace period is ${TRACKER_GRACE_MS / 1000} s)`)
    await sleep(opts.settleSec * 1000)
    await sample()
    try {
      const status = await trackerStatus(CLI, addr, join(tmp, 'status-home'), tmp)
      queueAfter = status.queue
      // a count for anyone (PeerIds are the operator's); the status command itself is one of them
      connectedAfter = Math.max(0, status.connected - 1)
      if (opts.settleSec * 1000 > TRACKER_GRACE_MS && (status.queue.waiting > 0 || status.queue.granted > 0)) {
        fail(`${status.queue.waiting} waiting and ${status.queue.granted} granted requests are left in the queue ${opts.settleSec} s after every peer left`)
      }
    } catch (err) {
      fail(`status after the soak: ${(err as Error).message}`)
    }
  }
  clearInterval(sampler)
  const trackerPeakRssMB = await vmHwmBytes(tracker.pid).then(b => round1(b / MiB), () => undefined)
  stopping = true
  if (!trackerDied) {
    const exit = await stop(tracker, STOP_GRACE_MS)
    if (exit.killed || exit.code !== 0) fail(`the tracker did not stop cleanly on SIGTERM (code ${exit.code}, signal ${exit.signal}${exit.killed ? ', needed SIGKILL' : ''})${tail(tracker)}`)
  }

  const first = samples[0] ?? 0
  const last = samples[samples.length - 1] ?? 0
  const result = {
    minutes: opts.minutes,
    peersStarted: c.peersStarted,
    downloads: c.downloads,
    filesVerified: c.filesVerified,
    failures: c.failures.length,
    killed: c.killed,
    trackerRssMB: { samples, first, max: Math.max(...samples), last },
    flat: last <= first * 1.5 + 20,
    // context
    peers: opts.peers,
    files: files.map(f => ({ name: f.name, sizeMiB: round1(f.size / MiB) })),
    actions: c.byAction,
    cleanExits: c.cleanExits,
    downloadSec: c.downloadMs.length === 0 ? null : { median: round1(median(c.downloadMs) / 1000), max: round1(Math.max(...c.downloadMs) / 1000) },
    transferSec: c.transferMs.length === 0 ? null : { median: round1(median(c.transferMs) / 1000), max: round1(Math.max(...c.transferMs) / 1000) },
    trackerPeakRssMB,
    queueAfter: queueAfter ?? null,
    connectedAfter: connectedAfter ?? null,
    settleSec: opts.settleSec,
    seed: opts.seed,
    failureDetails: c.failures.slice(0, 10),
    node: process.version
  }
  console.log(JSON.stringify(result))
  if (c.failures.length > 0) process.exitCode = 1
}

await runBench(async () => { await main(parseSoakArgs(process.argv.slice(2))) }, work.cleanup)

// nothing of the soak is left to wait for (children are gone, timers cleared)
process.exit(process.exitCode ?? 0)
