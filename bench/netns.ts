/**
 * NAT traversal bench, on the simulated internet of test/fixtures/netns.ts (needs root, `ip`
 * and `nft`): scenario (a) of test/netns/nat-swarm.spec.ts, repeated. A tracker capped at
 * `--rate`, peer A behind a port-preserving NAT downloads a file and seeds it, then peer B
 * behind another such NAT downloads it: B's share of bytes from A (over the hole-punched
 * connection), the time from B's start to its first direct connection (and the punch alone,
 * from the relayed dial), and the bytes between A's home and the tracker while B downloaded
 * (relay and control traffic: an upper bound on relay bytes). Prints one JSON object.
 *
 *   npm run bench:netns -- [--repeat 3] [--size 12MiB] [--rate 1MiB]
 */
import '../node/polyfill.js'
import { internet, netnsUnavailable } from '../test/fixtures/netns.js'
import { twoHomes, workspace } from '../test/netns/cli-swarm.js'
import { parseSize } from './lib/args.js'
import { runBench } from './lib/run.js'
import type { Internet } from '../test/fixtures/netns.js'
import type { Workspace } from '../test/netns/cli-swarm.js'

const MiB = 1024 ** 2
const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

function parse (argv: string[]): { repeat: number, size: number, rate: number } {
  const opts = { repeat: 3, size: 12 * MiB, rate: 1 * MiB }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`Option ${flag} needs a value.`)
      return v
    }
    if (flag === '--size') opts.size = parseSize(value())
    else if (flag === '--rate') opts.rate = parseSize(value())
    else if (flag === '--repeat') opts.repeat = Math.max(1, Number.parseInt(value(), 10) || 1)
    else throw new Error(`Unknown option ${flag}; usage: bench:netns -- [--repeat 3] [--size 12MiB] [--rate 1MiB].`)
  }
  return opts
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]
}

/** One run's figures. */
interface Run {
  shareFromA: number
  bytesFromA: number
  bytesFromTracker: number
  directBytesIntoB: number
  firstDirectMsSinceStart: number | null
  punchMs: number | null
  relayAndControlBytes: number
  transferMs: number
}

let net: Internet | undefined
let ws: Workspace | undefined

async function cleanup (): Promise<void> {
  await net?.close()
  await ws?.remove()
  net = undefined
  ws = undefined
}

async function main (): Promise<void> {
  const { repeat, size, rate } = parse(process.argv.slice(2))
  const why = await netnsUnavailable()
  if (why != null) throw new Error(`This bench builds network namespaces: ${why}`)
  const runs: Run[] = []
  for (let i = 0; i < repeat; i++) {
    net = await internet()
    ws = await workspace(size)
    const { got, b, aTrackerBytes, bDirectBytes } = await twoHomes(net, ws, 'port-preserving', ['--max-upload-rate', String(rate)])
    const punch = b.punches()[0]
    const run: Run = {
      shareFromA: Math.round((got.bytesFromPeers / size) * 1000) / 1000,
      bytesFromA: got.bytesFromPeers,
      bytesFromTracker: got.bytesFromTracker,
      directBytesIntoB: bDirectBytes,
      firstDirectMsSinceStart: punch?.sinceStartMs ?? null,
      punchMs: punch?.punchMs ?? null,
      relayAndControlBytes: aTrackerBytes,
      transferMs: got.transferMs
    }
    log(`run ${i + 1}/${repeat}: ${JSON.stringify(run)}`)
    runs.push(run)
    await cleanup()
  }
  const of = (k: 'shareFromA' | 'firstDirectMsSinceStart' | 'punchMs' | 'relayAndControlBytes'): number => median(runs.map(r => r[k] ?? NaN).filter(Number.isFinite))
  process.stdout.write(JSON.stringify({
    sizeBytes: size,
    trackerRateBytesPerSecond: rate,
    repeat,
    median: {
      shareFromA: of('shareFromA'),
      firstDirectMsSinceStart: of('firstDirectMsSinceStart'),
      punchMs: of('punchMs'),
      relayAndControlBytes: of('relayAndControlBytes')
    },
    runs
  }) + '\n')
}

await runBench(main, cleanup)
