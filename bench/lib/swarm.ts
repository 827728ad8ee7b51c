/** Helpers of the swarm bench: its options, the tracker's address file, `status --json`. */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseSize } from './args.js'
import { ChildError, expectCleanExit, sleep, startNode, type Child } from './procs.js'

/** Command-line options of the swarm bench. */
export interface SwarmOptions {
  peers: number
  sizeBytes: number
  /** The upload cap of every node (tracker and peers), bytes per second. */
  rateBytesPerSec: number
  /** Run only one of the two setups (default both). */
  only?: 'swarm' | 'clientServer'
  /** Swarm runs (each with a fresh tracker and fresh peers); the client-server baseline runs once. */
  repeat: number
  /** Keep the temp dir (for debugging). */
  keep: boolean
  /** Preload bench/count-probe into the tracker and the peers and report what they counted. */
  counts: boolean
  /**
   * Swarm runs with long-running `peer` daemons, started (and connected to the tracker)
   * before the clock starts, each asked for the file by a `get` on its home: the steady
   * state of a peer that stays up, without a process start-up per download.
   */
  daemons: boolean
}

const USAGE = 'usage: node dist/bench/swarm.js [--peers 8] [--size 64MiB] [--rate 8MiB] [--repeat 1] [--only swarm|clientServer] [--daemons] [--keep] [--counts]'

export function parseSwarmArgs (argv: string[]): SwarmOptions {
  const opts: SwarmOptions = { peers: 8, sizeBytes: 64 * 1024 ** 2, rateBytesPerSec: 8 * 1024 ** 2, repeat: 1, keep: false, counts: false, daemons: false }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => {
      if (value !== undefined) return value
      const next = argv[++i]
      if (next === undefined) throw new Error(`Option ${flag} needs a value.`)
      return next
    }
    switch (flag) {
      case '--peers': {
        const v = take()
        opts.peers = Number(v)
        if (!Number.isInteger(opts.peers) || opts.peers < 1 || opts.peers > 1000) throw new Error(`--peers must be a whole number from 1 to 1000, not "${v}".`)
        break
      }
      case '--repeat': {
        const v = take()
        opts.repeat = Number(v)
        if (!Number.isInteger(opts.repeat) || opts.repeat < 1 || opts.repeat > 1000) throw new Error(`--repeat must be a whole number from 1 to 1000, not "${v}".`)
        break
      }
      case '--size': opts.sizeBytes = parseSize(take()); break
      // "8MiB" and "8MiB/s" both mean 8 MiB per second
      case '--rate': opts.rateBytesPerSec = parseSize(take().replace(/\/s\s*$/i, '')); break
      case '--only': {
        const v = take()
        if (v !== 'swarm' && v !== 'clientServer') throw new Error(`--only takes swarm or clientServer, not "${v}".`)
        opts.only = v
        break
      }
      case '--keep': opts.keep = true; break
      case '--counts': opts.counts = true; break
      case '--daemons': opts.daemons = true; break
      case '--help': case '-h':
        console.error(USAGE)
        process.exit(0)
        break
      default: throw new Error(`Unknown option "${argv[i]}" (${USAGE}).`)
    }
  }
  return opts
}

/** Polls `<home>/tracker.addr` until it lists a multiaddr; prefers a 127.0.0.1 one. */
export async function waitForTrackerAddr (tracker: Child, home: string, timeoutMs: number): Promise<string> {
  const file = join(home, 'tracker.addr')
  const deadline = Date.now() + timeoutMs
  let exited = false
  void tracker.exited.then(() => { exited = true })
  while (Date.now() < deadline) {
    if (exited) throw new ChildError(`The tracker exited before writing ${file}.`, tracker)
    if (existsSync(file)) {
      const lines = (await readFile(file, 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/'))
      const addr = lines.find((l) => l.startsWith('/ip4/127.0.0.1/')) ?? lines[0]
      if (addr !== undefined) return addr
    }
    await sleep(100)
  }
  throw new ChildError(`The tracker did not write ${file} within ${Math.round(timeoutMs / 1000)} s.`, tracker)
}

/** One file's row of `status --json`. */
export interface StatusTransfer {
  cid: string
  path: string
  size: number
  servedByTracker: number
  servedByPeers: number
  completed: number
}

/** Runs `status --tracker <addr> --home <home> --json` and returns its transfers. */
export async function trackerTransfers (cli: string, addr: string, home: string, cwd: string, timeoutMs = 30_000): Promise<StatusTransfer[]> {
  const status = startNode('status', [cli, 'status', '--tracker', addr, '--home', home, '--json'], cwd)
  await expectCleanExit(status, timeoutMs)
  let parsed: any
  try {
    parsed = JSON.parse(status.stdout())
  } catch {
    throw new ChildError(`The status command printed no JSON (stdout: ${JSON.stringify(status.stdout().slice(0, 300))}).`, status)
  }
  if (!Array.isArray(parsed?.transfers)) throw new ChildError('The status command printed no transfers array.', status)
  return parsed.transfers as StatusTransfer[]
}

/** Resolves with the time (performance.now()) of the child's first stdout byte, or undefined when it exits silent. */
export function firstStdoutAt (child: Child): Promise<number | undefined> {
  return new Promise((resolve) => {
    child.proc.stdout!.once('data', () => { resolve(performance.now()) })
    void child.exited.then(() => { resolve(undefined) })
  })
}
