/** Helpers of the soak bench: its options, a seeded PRNG, RSS of a process, `status --json`. */
import { readFile } from 'node:fs/promises'
import { parseSize } from './args.js'
import { ChildError, expectCleanExit, startNode } from './procs.js'

/** Command-line options of the soak bench. */
export interface SoakOptions {
  minutes: number
  /** Peer processes alive at once. */
  peers: number
  /** Files in the media folder. */
  files: number
  /** Typical file size (each file is 75–125 % of it). */
  sizeBytes: number
  /** Seconds between two RSS samples of the tracker. */
  sampleSec: number
  /** Seconds to wait after the last peer left, before the last sample (the tracker's grace period is 15 s). */
  settleSec: number
  seed: number
  keep: boolean
}

const USAGE = 'usage: node dist/bench/soak.js [--minutes 2] [--peers 20] [--files 4] [--size 3MiB] [--sample 3] [--settle 20] [--seed N] [--keep]'

export function parseSoakArgs (argv: string[]): SoakOptions {
  const opts: SoakOptions = { minutes: 2, peers: 20, files: 4, sizeBytes: 3 * 1024 ** 2, sampleSec: 3, settleSec: 20, seed: Date.now() % 1_000_000, keep: false }
  const number = (flag: string, v: string, min: number, max: number): number => {
    const n = Number(v)
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} must be a number from ${min} to ${max}, not "${v}".`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => {
      if (value !== undefined) return value
      const next = argv[++i]
      if (next === undefined) throw new Error(`Option ${flag} needs a value.`)
      return next
    }
    switch (flag) {
      case '--minutes': opts.minutes = number(flag, take(), 0.1, 24 * 60); break
      case '--peers': opts.peers = Math.round(number(flag, take(), 1, 500)); break
      case '--files': opts.files = Math.round(number(flag, take(), 1, 100)); break
      case '--size': opts.sizeBytes = parseSize(take()); break
      case '--sample': opts.sampleSec = number(flag, take(), 0.5, 600); break
      case '--settle': opts.settleSec = number(flag, take(), 0, 600); break
      case '--seed': opts.seed = Math.round(number(flag, take(), 0, 2 ** 31)); break
      case '--keep': opts.keep = true; break
      case '--help': case '-h':
        console.error(USAGE)
        process.exit(0)
        break
      default: throw new Error(`Unknown option "${argv[i]}" (${USAGE}).`)
    }
  }
  return opts
}

/** mulberry32: the churn (which file, how long to seed, who is killed) comes from one seed (the interleaving of concurrent peers still varies from run to run). */
export class Rng {
  #s: number
  constructor (seed: number) { this.#s = seed >>> 0 }
  next (): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0
    let t = this.#s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [lo, hi]. */
  range (lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  chance (p: number): boolean { return this.next() < p }
  pick<T> (items: readonly T[]): T { return items[Math.floor(this.next() * items.length)] }
}

/** Resident set size (VmRSS) of a live process, in bytes. */
export async function vmRssBytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  if (m == null) throw new Error(`No VmRSS line in /proc/${pid}/status.`)
  return Number(m[1]) * 1024
}

/** The queue part of `status --json`. */
export interface StatusQueue {
  slots: number
  granted: number
  waiting: number
}

/** Runs `status --tracker <addr> --home <home> --json` and returns the parsed object. */
export async function trackerStatus (cli: string, addr: string, home: string, cwd: string, timeoutMs = 30_000): Promise<{ queue: StatusQueue, connected: number, connectedPeers: string[], transfers: Array<{ path: string, servedByTracker: number, servedByPeers: number, completed: number, providers: number }> }> {
  const status = startNode('status', [cli, 'status', '--tracker', addr, '--home', home, '--json'], cwd)
  await expectCleanExit(status, timeoutMs)
  try {
    return JSON.parse(status.stdout())
  } catch {
    throw new ChildError(`The status command printed no JSON (stdout: ${JSON.stringify(status.stdout().slice(0, 300))}).`, status)
  }
}

export const round1 = (x: number): number => Math.round(x * 10) / 10
