/**
 * Start-up bench: `get` of a 1 MiB file end to end (process start to exit: load, connect,
 * catalogue, queue, ticket, transfer, write), and `--help`, each with the bundled CLI
 * (dist/cli/main.js → dist/bundle) and the same code unbundled (dist/cli/main-modules.js),
 * alternating, `--runs K` times each. Reports the median CPU seconds and wall seconds of the
 * process. Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:startup -- [--runs 5] [--size 1MiB]
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, parseSize, round3 } from './lib/args.js'
import { writeRandomFile } from './lib/files.js'
import { CLI, USAGE_PROBE } from './lib/mediaswarm.js'
import { expectCleanExit, killAll, startNode, stop } from './lib/procs.js'
import { runBench } from './lib/run.js'
import { waitForTrackerAddr } from './lib/swarm.js'
import type { ProcessUsage } from './lib/usage.js'

const UNBUNDLED = fileURLToPath(new URL('../cli/main-modules.js', import.meta.url))
const ENTRIES = { bundled: CLI, modules: UNBUNDLED } as const
type Entry = keyof typeof ENTRIES

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }
let tmp: string | undefined

function parse (argv: string[]): { runs: number, sizeBytes: number } {
  const o = { runs: 5, sizeBytes: 1024 ** 2 }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => value ?? argv[++i] ?? ''
    if (flag === '--runs') o.runs = Math.max(1, Math.round(Number(take())))
    else if (flag === '--size') o.sizeBytes = parseSize(take())
    else throw new Error(`Unknown option "${argv[i]}" (usage: node dist/bench/startup.js [--runs 5] [--size 1MiB]).`)
  }
  return o
}

/** Runs the CLI with `args` to a clean exit; its CPU time (from the usage probe) and wall time. */
async function measure (entry: Entry, args: string[], cwd: string, n: number): Promise<{ cpuSec: number, wallSec: number }> {
  const usageFile = join(cwd, `usage-${entry}-${n}.json`)
  const t = performance.now()
  const child = startNode(`${entry} ${args[0]}`, ['--import', USAGE_PROBE, ENTRIES[entry], ...args], cwd, { MEDIASWARM_BENCH_USAGE: usageFile })
  await expectCleanExit(child, 60_000)
  const wallSec = (performance.now() - t) / 1000
  const { cpuSec } = JSON.parse(await readFile(usageFile, 'utf8')) as ProcessUsage
  return { cpuSec, wallSec }
}

async function main (): Promise<void> {
  const o = parse(process.argv.slice(2))
  for (const file of Object.values(ENTRIES)) {
    if (!existsSync(file)) throw new Error(`${file} does not exist; run npm run build first.`)
  }
  tmp = await mkdtemp(join(tmpdir(), 'mediaswarm-startup-'))
  const media = join(tmp, 'media')
  await mkdir(media)
  await writeRandomFile(join(media, 'one.bin'), o.sizeBytes)
  const home = join(tmp, 'tracker')
  const tracker = startNode('tracker', [CLI, 'tracker', '--media', media, '--all-files', '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0'], tmp)
  try {
    const addr = await waitForTrackerAddr(tracker, home, 60_000)
    const results: Record<Entry, { get: Array<{ cpuSec: number, wallSec: number }>, help: number[] }> = { bundled: { get: [], help: [] }, modules: { get: [], help: [] } }
    for (let n = 0; n < o.runs; n++) {
      for (const entry of (n % 2 === 0 ? ['modules', 'bundled'] : ['bundled', 'modules']) as Entry[]) {
        const dir = join(tmp, `${entry}-${n}`)
        await mkdir(dir)
        const g = await measure(entry, ['get', 'one.bin', '--tracker', addr, '--home', join(dir, 'home'), '-o', join(dir, 'out'), '--json'], dir, n)
        const h = await measure(entry, ['--help'], dir, n + 1000)
        results[entry].get.push(g)
        results[entry].help.push(h.cpuSec)
        log(`${entry}: get ${g.cpuSec.toFixed(2)} CPU-s, ${g.wallSec.toFixed(2)} s wall; --help ${h.cpuSec.toFixed(2)} CPU-s`)
      }
    }
    const summary = (entry: Entry): Record<string, number> => ({
      getCpuSec: round3(median(results[entry].get.map((r) => r.cpuSec))),
      getWallSec: round3(median(results[entry].get.map((r) => r.wallSec))),
      helpCpuSec: round3(median(results[entry].help))
    })
    const modules = summary('modules')
    const bundled = summary('bundled')
    console.log(JSON.stringify({
      sizeBytes: o.sizeBytes,
      runs: o.runs,
      modules,
      bundled,
      getCpuSaved: round3(modules.getCpuSec - bundled.getCpuSec),
      node: process.version
    }))
  } finally {
    await stop(tracker, 5000)
  }
}

await runBench(main, async () => {
  await killAll()
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true })
})
