/**
 * Adversarial bench: one honest download of a pseudo-random file next to a mix of hostile
 * providers (a liar, two stallers, a corrupter, a trickler and one that disconnects
 * mid-piece, all named in the ticket), against the same download from the tracker alone.
 * Tracker, hostile hosts and downloaders run in this process on loopback, with the
 * session's default timeouts. Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:adversarial -- [--size 32MiB] [--rate 8MiB]
 *
 * Target (issue 8): hostile time <= 2 x alone + 10 s.
 */
import '../node/polyfill.js'
import { TokenBucket } from '../node/index.js'
import { HOSTILE_MODES, startHostileProvider } from '../test/fixtures/hostile-providers.js'
import { EventLog, sha256, sha256File, startSwarm } from '../test/fixtures/swarm.js'
import { parseSize } from './lib/args.js'
import { runBench } from './lib/run.js'
import type { Swarm } from '../test/fixtures/swarm.js'

const MiB = 1024 ** 2
const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

function parse (argv: string[]): { size: number, rate: number } {
  const opts = { size: 32 * MiB, rate: 8 * MiB }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`Option ${flag} needs a value.`)
      return v
    }
    if (flag === '--size') opts.size = parseSize(value())
    else if (flag === '--rate') opts.rate = parseSize(value())
    else throw new Error(`Unknown option ${flag}; usage: bench:adversarial -- [--size 32MiB] [--rate 8MiB].`)
  }
  return opts
}

let swarm: Swarm | undefined

async function download (s: Swarm, label: string): Promise<{ ms: number, log: EventLog }> {
  const peer = await s.addPeer({ listen: [] })
  const events = new EventLog()
  const started = performance.now()
  const result = await peer.download(s.cid, { onProgress: events.onProgress })
  const ms = performance.now() - started
  if (await sha256File(result.file.dataPath) !== sha256(s.data)) throw new Error(`the ${label} download differs from the original`)
  log(`${label}: ${Math.round(ms)} ms`)
  return { ms, log: events }
}

async function main (): Promise<void> {
  const { size, rate } = parse(process.argv.slice(2))
  swarm = await startSwarm({ label: 'bench-adversarial', fileSize: size, seed: 9, tracker: { slots: 16, maxPerPeer: 16, limiter: new TokenBucket({ rate }) } })
  const s = swarm
  const alone = await download(s, 'tracker alone')
  const hostile = []
  for (const mode of HOSTILE_MODES) hostile.push(await startHostileProvider(s, mode))
  const mixed = await download(s, 'beside the hostile mix')
  const banned = Object.fromEntries(hostile.map(h => [h.mode, mixed.log.of('transfer:provider-banned', h.peerId)[0]?.reason ?? null]))
  const targetMs = 2 * alone.ms + 10_000
  process.stdout.write(JSON.stringify({
    sizeBytes: size,
    trackerRateBytesPerSecond: rate,
    aloneMs: Math.round(alone.ms),
    hostileMs: Math.round(mixed.ms),
    ratio: Math.round((mixed.ms / alone.ms) * 100) / 100,
    targetMs: Math.round(targetMs),
    withinTarget: mixed.ms <= targetMs,
    hostileAsked: Object.fromEntries(hostile.map(h => [h.mode, h.wanted.length])),
    banned
  }) + '\n')
}

await runBench(main, async () => { await swarm?.stop() })
