/**
 * Start-up bench: a short `get` of a 1 MiB file end to end (process start to exit: load,
 * connect, catalogue, manifest, queue, ticket, transfer, write), the same as the swarm bench
 * runs it (`get --seed --listen 127.0.0.1`, here with `--seed-time 0` so it exits after the
 * download), and `--help`, each with the bundled CLI (dist/cli/main.js → dist/bundle) and the
 * same code unbundled (dist/cli/main-modules.js), and with `--baseline FILE` another build's
 * CLI (say a copy of dist/ made before a change), alternating, `--runs K` times each. The
 * bundled CLI runs twice: with V8's code cache (cli/launch.ts; a cache folder of the bench's
 * own, written by one unmeasured `get` and `get --seed` first) and without it
 * (`bundledNoCache`, MEDIASWARM_CODE_CACHE=off).
 * Reports the median CPU seconds and wall seconds of the process, and for the seeding get the
 * time to the ticket: from the process start to its JSON line, less the transfer time it
 * reports (from the ticket to the last piece), as the swarm bench counts it. And a `get` on
 * the home of a running `peer` daemon (the download runs in the daemon; the process measured
 * is the client: `daemonGetCpuSec`), each run a file of its own so each is a real download.
 * Prints one JSON
 * object to stdout; progress to stderr.
 *
 *   npm run bench:startup -- [--runs 5] [--size 1MiB] [--baseline /tmp/old/dist/cli/main.js] [--no-modules]
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, parseSize, round3 } from './lib/args.js'
import { writeRandomFile } from './lib/files.js'
import { CLI, USAGE_PROBE } from './lib/mediaswarm.js'
import { expectCleanExit, killAll, startNode, stop, waitForJsonLine, type Child } from './lib/procs.js'
import { runBench } from './lib/run.js'
import { waitForTrackerAddr } from './lib/swarm.js'
import type { ProcessUsage } from './lib/usage.js'

const UNBUNDLED = fileURLToPath(new URL('../cli/main-modules.js', import.meta.url))

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }
let tmp: string | undefined

interface Options { runs: number, sizeBytes: number, baseline?: string, modules: boolean }

function parse (argv: string[]): Options {
  const o: Options = { runs: 5, sizeBytes: 1024 ** 2, modules: true }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => value ?? argv[++i] ?? ''
    if (flag === '--runs') o.runs = Math.max(1, Math.round(Number(take())))
    else if (flag === '--size') o.sizeBytes = parseSize(take())
    else if (flag === '--baseline') o.baseline = resolve(take())
    else if (flag === '--no-modules') o.modules = false
    else throw new Error(`Unknown option "${argv[i]}" (usage: node dist/bench/startup.js [--runs 5] [--size 1MiB] [--baseline FILE] [--no-modules]).`)
  }
  return o
}

interface Run { cpuSec: number, wallSec: number, ticketSec?: number }

/** A CLI entry measured, with the environment it runs in. */
interface Entry { file: string, env: Record<string, string> }

/** Runs the CLI with `args` to a clean exit: its CPU time (from the usage probe), wall time, and time to the ticket when it prints a result line. */
async function measure (label: string, entry: Entry, args: string[], cwd: string, n: number): Promise<Run> {
  const usageFile = join(cwd, `usage-${label}-${n}.json`)
  const t = performance.now()
  const child = startNode(`${label} ${args[0]}`, ['--import', USAGE_PROBE, entry.file, ...args], cwd, { ...entry.env, MEDIASWARM_BENCH_USAGE: usageFile })
  let firstLine: { at: number, text: string } | undefined
  child.onLine((line) => { if (firstLine === undefined && line.trim() !== '') firstLine = { at: performance.now(), text: line } })
  await expectCleanExit(child, 60_000)
  const wallSec = (performance.now() - t) / 1000
  const { cpuSec } = JSON.parse(await readFile(usageFile, 'utf8')) as ProcessUsage
  let ticketSec: number | undefined
  if (firstLine !== undefined && firstLine.text.startsWith('[{')) {
    const [entry] = JSON.parse(firstLine.text) as Array<{ transferMs: number }>
    ticketSec = (firstLine.at - t) / 1000 - entry.transferMs / 1000
  }
  return { cpuSec, wallSec, ticketSec }
}

async function main (): Promise<void> {
  const o = parse(process.argv.slice(2))
  tmp = await mkdtemp(join(tmpdir(), 'mediaswarm-startup-'))
  const codeCache = join(tmp, 'code-cache')
  const entries: Record<string, Entry> = {
    bundled: { file: CLI, env: { MEDIASWARM_CODE_CACHE: codeCache } },
    bundledNoCache: { file: CLI, env: { MEDIASWARM_CODE_CACHE: 'off' } }
  }
  // the other entries have no code cache: they are not run through cli/launch.ts
  if (o.modules) entries.modules = { file: UNBUNDLED, env: {} }
  if (o.baseline !== undefined) entries.baseline = { file: o.baseline, env: { MEDIASWARM_CODE_CACHE: codeCache } }
  for (const { file } of Object.values(entries)) {
    if (!existsSync(file)) throw new Error(`${file} does not exist; run npm run build first.`)
  }
  const media = join(tmp, 'media')
  await mkdir(media)
  await writeRandomFile(join(media, 'one.bin'), o.sizeBytes)
  const labels = Object.keys(entries)
  const daemonFile = (label: string, n: number): string => `d-${label}-${n}.bin`
  for (const label of labels) for (let n = 0; n < o.runs; n++) await writeRandomFile(join(media, daemonFile(label, n)), o.sizeBytes)
  const home = join(tmp, 'tracker')
  const tracker = startNode('tracker', [CLI, 'tracker', '--media', media, '--all-files', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0'], tmp, { MEDIASWARM_CODE_CACHE: codeCache })
  const load: number[] = []
  let daemon: Child | undefined
  try {
    const addr = await waitForTrackerAddr(tracker, home, 60_000)
    const daemonHome = join(tmp, 'daemon')
    daemon = startNode('peer daemon', [CLI, 'peer', '--tracker', addr, '--home', daemonHome, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-upnp', '--json'], tmp, { MEDIASWARM_CODE_CACHE: codeCache })
    await waitForJsonLine(daemon, (v: any): v is { event: 'sharing' } => v?.event === 'sharing', 60_000)
    // the cache's first writers, not measured
    const warm = join(tmp, 'warm-up')
    await mkdir(warm)
    const warmArgs = (name: string): string[] => ['get', 'one.bin', '--tracker', addr, '--home', join(warm, `${name}-home`), '-o', join(warm, `${name}-out`), '--json']
    await measure('warm-up', entries.bundled, warmArgs('get'), warm, 0)
    await measure('warm-up', entries.bundled, [...warmArgs('seed'), '--seed-time', '0', '--listen', '/ip4/127.0.0.1/tcp/0'], warm, 1)
    const results: Record<string, { get: Run[], seed: Run[], help: number[], daemon: Run[] }> = Object.fromEntries(labels.map(l => [l, { get: [], seed: [], help: [], daemon: [] }]))
    for (let n = 0; n < o.runs; n++) {
      // alternate the order, so a change of load hits every entry alike
      for (const label of n % 2 === 0 ? labels : [...labels].reverse()) {
        const dir = join(tmp, `${label}-${n}`)
        await mkdir(dir)
        const getArgs = (name: string): string[] => ['get', 'one.bin', '--tracker', addr, '--home', join(dir, `${name}-home`), '-o', join(dir, `${name}-out`), '--json']
        const g = await measure(label, entries[label], getArgs('get'), dir, n)
        const s = await measure(label, entries[label], [...getArgs('seed'), '--seed-time', '0', '--listen', '/ip4/127.0.0.1/tcp/0'], dir, n + 1000)
        const h = await measure(label, entries[label], ['--help'], dir, n + 2000)
        const d = await measure(label, entries[label], ['get', daemonFile(label, n), '--home', daemonHome, '-o', join(dir, 'daemon-out'), '--json'], dir, n + 3000)
        results[label].daemon.push(d)
        results[label].get.push(g)
        results[label].seed.push(s)
        results[label].help.push(h.cpuSec)
        load.push(loadavg()[0])
        log(`${label}: get ${g.cpuSec.toFixed(2)} CPU-s, ${g.wallSec.toFixed(2)} s wall; get --seed ${s.cpuSec.toFixed(2)} CPU-s, ` +
          `${(s.ticketSec ?? NaN).toFixed(2)} s to the ticket; --help ${h.cpuSec.toFixed(2)} CPU-s; get through a daemon ${d.cpuSec.toFixed(2)} CPU-s, ${d.wallSec.toFixed(2)} s wall`)
      }
    }
    const summary = (label: string): Record<string, number> => {
      const r = results[label]
      return {
        getCpuSec: round3(median(r.get.map((x) => x.cpuSec))),
        getWallSec: round3(median(r.get.map((x) => x.wallSec))),
        seedGetCpuSec: round3(median(r.seed.map((x) => x.cpuSec))),
        seedGetWallSec: round3(median(r.seed.map((x) => x.wallSec))),
        seedTicketSec: round3(median(r.seed.map((x) => x.ticketSec ?? NaN))),
        helpCpuSec: round3(median(r.help)),
        daemonGetCpuSec: round3(median(r.daemon.map((x) => x.cpuSec))),
        daemonGetWallSec: round3(median(r.daemon.map((x) => x.wallSec)))
      }
    }
    const out: Record<string, unknown> = { sizeBytes: o.sizeBytes, runs: o.runs }
    for (const label of labels) out[label] = summary(label)
    if (o.modules) out.getCpuSaved = round3(summary('modules').getCpuSec - summary('bundled').getCpuSec)
    out.getCpuSavedByCodeCache = round3(summary('bundledNoCache').getCpuSec - summary('bundled').getCpuSec)
    out.seedGetCpuSavedByCodeCache = round3(summary('bundledNoCache').seedGetCpuSec - summary('bundled').seedGetCpuSec)
    if (o.baseline !== undefined) {
      out.baselineFile = o.baseline
      out.getCpuSavedVsBaseline = round3(summary('baseline').getCpuSec - summary('bundled').getCpuSec)
    }
    out.loadAvg1 = round3(median(load))
    out.node = process.version
    console.log(JSON.stringify(out))
  } finally {
    if (daemon !== undefined) await stop(daemon, 5000)
    await stop(tracker, 5000)
  }
}

await runBench(main, async () => {
  await killAll()
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true })
})
