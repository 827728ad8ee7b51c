/**
 * Play bench: a tracker (CLI process) serving one pseudo-random file and the real
 * `mediaswarm play FILE --player none --json` process, on loopback. Measures, like a player
 * would see it, the time from starting `play` to the first byte of a GET on the URL it
 * prints (and the part after the URL appeared), then the time to the first byte of seeks:
 * Range requests at a few offsets, each on a new connection, the previous one closed.
 * Prints one JSON object to stdout; progress to stderr.
 *
 *   npm run bench:play -- [--size 256MiB] [--seeks 0.9,0.25,0.5,0.75] [--rate RATE] [--keep]
 *
 * --rate caps the tracker's upload (e.g. 20MiB), so seeks land on pieces not yet fetched.
 */
import { existsSync } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { parseSize } from './lib/args.js'
import { writeRandomFile } from './lib/files.js'
import { firstByte } from './lib/first-byte.js'
import { CLI } from './lib/mediaswarm.js'
import { BenchDir, runBench } from './lib/run.js'
import { startNode, stop, waitForJsonLine } from './lib/procs.js'
import { waitForTrackerAddr } from './lib/swarm.js'

const TARGETS = { firstByteMs: 300, seekMs: 500 }
const MiB = 1024 ** 2

interface PlayOptions {
  sizeBytes: number
  /** Seek offsets as fractions of the file, in the order they are made. */
  seeks: number[]
  /** Tracker upload cap (a size per second), or undefined for none. */
  rate?: string
  keep: boolean
}

const log = (msg: string): void => { console.error(`[bench] ${msg}`) }

function parsePlayArgs (argv: string[]): PlayOptions {
  const opts: PlayOptions = { sizeBytes: 256 * MiB, seeks: [0.9, 0.25, 0.5, 0.75], keep: false }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`Option ${flag} needs a value.`)
      return v
    }
    switch (flag) {
      case '--size': opts.sizeBytes = parseSize(take()); break
      case '--rate': opts.rate = take(); parseSize(opts.rate); break
      case '--seeks': {
        const v = take()
        opts.seeks = v.split(',').map(Number)
        if (opts.seeks.length === 0 || opts.seeks.some(f => !(f >= 0 && f < 1))) throw new Error(`--seeks takes fractions in [0, 1) such as 0.9,0.25, not "${v}".`)
        break
      }
      case '--keep': opts.keep = true; break
      case '--help': case '-h':
        console.error('usage: node dist/bench/play.js [--size 256MiB] [--seeks 0.9,0.25,0.5,0.75] [--rate RATE] [--keep]')
        process.exit(0)
        break
      default: throw new Error(`Unknown option "${argv[i]}".`)
    }
  }
  return opts
}

interface ServingLine { event: 'serving', url: string, cid: string }
function isServing (v: any): v is ServingLine {
  return v?.event === 'serving' && typeof v.url === 'string'
}

const work = new BenchDir(log)

/** Checks the bytes a response started with against the file on disk. */
async function checkBytes (path: string, offset: number, head: Buffer, what: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    const expected = Buffer.alloc(head.length)
    await fh.read(expected, 0, head.length, offset)
    if (head.length === 0 || !head.equals(expected)) throw new Error(`The bytes of ${what} differ from the file at offset ${offset}.`)
  } finally {
    await fh.close()
  }
}

const ms1 = (x: number): number => Math.round(x * 10) / 10

async function main (opts: PlayOptions): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`The mediaswarm CLI ${CLI} does not exist; run npm run build first.`)
  const tmp = await work.create('mediaswarm-bench-play-', opts.keep)
  const mediaDir = join(tmp, 'media')
  await mkdir(mediaDir)
  const fileName = `movie-${opts.sizeBytes}.mp4`
  const file = join(mediaDir, fileName)
  log(`writing ${opts.sizeBytes} pseudo-random bytes to ${file}`)
  await writeRandomFile(file, opts.sizeBytes)

  const trackerHome = join(tmp, 'tracker-home')
  const tracker = startNode('tracker', [CLI, 'tracker', '--media', mediaDir, '--home', trackerHome,
    '--listen', '/ip4/127.0.0.1/tcp/0', ...(opts.rate == null ? [] : ['--max-upload-rate', opts.rate])], tmp)
  const addr = await waitForTrackerAddr(tracker, trackerHome, 120_000 + opts.sizeBytes / (20 * MiB) * 1000)
  log(`tracker ready at ${addr}${opts.rate == null ? '' : `, upload capped at ${opts.rate}/s`}`)

  const spawnedAt = performance.now()
  const play = startNode('play', [CLI, 'play', fileName, '--player', 'none', '--json', '--tracker', addr,
    '--home', join(tmp, 'play-home'), '--listen', '/ip4/127.0.0.1/tcp/0'], tmp)
  const serving = await waitForJsonLine(play, isServing, 60_000)
  const urlAt = performance.now()
  log(`play printed ${serving.url} after ${(urlAt - spawnedAt).toFixed(0)} ms`)

  // (a) the GET a player makes as soon as it has the URL
  const first = await firstByte(serving.url, { timeoutMs: 60_000 })
  const firstByteAt = urlAt + first.ms
  if (first.status !== 200) throw new Error(`The first GET answered ${first.status} instead of 200.`)
  await checkBytes(file, 0, first.head, 'the first GET')
  log(`first byte ${(firstByteAt - spawnedAt).toFixed(0)} ms after spawning play, ${first.ms.toFixed(0)} ms after the URL`)

  // (b) seeks: each a new Range request, the previous connection closed
  const seeks: Array<{ offset: number, fraction: number, ms: number }> = []
  for (const fraction of opts.seeks) {
    const offset = Math.floor(opts.sizeBytes * fraction)
    const r = await firstByte(serving.url, { range: `bytes=${offset}-`, timeoutMs: 60_000 })
    const expectedRange = `bytes ${offset}-${opts.sizeBytes - 1}/${opts.sizeBytes}`
    if (r.status !== 206 || r.contentRange !== expectedRange) {
      throw new Error(`The seek to ${offset} answered ${r.status} with Content-Range ${r.contentRange ?? 'none'} instead of 206 ${expectedRange}.`)
    }
    await checkBytes(file, offset, r.head, `the seek to ${offset}`)
    seeks.push({ offset, fraction, ms: ms1(r.ms) })
    log(`seek to ${(fraction * 100).toFixed(0)} % (byte ${offset}): first byte after ${r.ms.toFixed(0)} ms`)
  }

  const exit = await stop(play, 10_000)
  if (exit.killed) log(`warning: play did not exit on SIGTERM (needed SIGKILL); stderr tail:\n${play.stderrTail()}`)
  await stop(tracker, 10_000)

  const result = {
    sizeBytes: opts.sizeBytes,
    startToFirstByteMs: ms1(firstByteAt - spawnedAt),
    urlToFirstByteMs: ms1(first.ms),
    seeks: seeks.map(({ offset, ms }) => ({ offset, ms })),
    seekMaxMs: Math.max(...seeks.map(s => s.ms)),
    targets: TARGETS,
    ...(opts.rate == null ? {} : { trackerUploadRate: opts.rate }),
    node: process.version
  }
  console.log(JSON.stringify(result))
}

await runBench(async () => { await main(parsePlayArgs(process.argv.slice(2))) }, work.cleanup)
