/** Command-line options of the throughput bench. */
export interface BenchOptions {
  sizeBytes: number
  runs: number
  /** Sender chunk size of the node:net / node:tls baselines (read stream highWaterMark). */
  chunkBytes: number
  /** Keep the temp dir (for debugging). */
  keep: boolean
  /** The setups to run (default all). */
  only: Setup[]
  /** Write V8 CPU profiles of the mediaswarm processes into this folder. */
  profileDir?: string
}

/** The transfers the throughput bench compares. */
export const SETUPS = ['net', 'tls', 'verifiedTls', 'mediaswarm'] as const
export type Setup = typeof SETUPS[number]

const USAGE = 'usage: node dist/bench/throughput.js [--size 1GiB] [--runs 1] [--chunk 1MiB] [--only net,tls,verifiedTls,mediaswarm] [--profile DIR] [--keep]'

const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kib: 1024, kb: 1e3,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9
}

/** The value after `--name` in `argv`, or `fallback`. */
export function option (argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] != null ? argv[i + 1] : fallback
}

/** The whole number (1 or more) after `--name` in `argv`, or `fallback`. */
export function wholeNumber (argv: string[], name: string, fallback: number): number {
  const n = Number(option(argv, name, String(fallback)))
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a whole number, got ${option(argv, name, '')}.`)
  return n
}

/** Parses "256MiB", "1GiB", "1.5GB", "1048576" into a byte count. */
export function parseSize (text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = m?.[2]?.toLowerCase() ?? ''
  if (m == null || !(unit in UNITS)) throw new Error(`"${text}" is not a size such as 256MiB or 1GiB.`)
  const bytes = Math.round(Number(m[1]) * UNITS[unit])
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`Size "${text}" is out of range.`)
  return bytes
}

export function parseArgs (argv: string[]): BenchOptions {
  const opts: BenchOptions = { sizeBytes: 1024 ** 3, runs: 1, chunkBytes: 1024 ** 2, keep: false, only: [...SETUPS] }
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined]
    const take = (): string => {
      if (value !== undefined) return value
      const next = argv[++i]
      if (next === undefined) throw new Error(`Option ${flag} needs a value.`)
      return next
    }
    switch (flag) {
      case '--size': opts.sizeBytes = parseSize(take()); break
      case '--chunk': opts.chunkBytes = parseSize(take()); break
      case '--runs': {
        const v = take()
        opts.runs = Number(v)
        if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error(`--runs must be a positive integer, not "${v}".`)
        break
      }
      case '--only': {
        const v = take()
        const names = v.split(',').map((x) => x.trim())
        const bad = names.find((x) => !(SETUPS as readonly string[]).includes(x))
        if (bad !== undefined) throw new Error(`--only takes a comma-separated list of ${SETUPS.join(', ')}, not "${bad}".`)
        opts.only = names as Setup[]
        break
      }
      case '--profile': opts.profileDir = take(); break
      case '--keep': opts.keep = true; value = undefined; break
      case '--help': case '-h':
        console.error(USAGE)
        process.exit(0)
        break
      default: throw new Error(`Unknown option "${argv[i]}" (${USAGE}).`)
    }
  }
  return opts
}

export function median (values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export const MB = 1e6
export const round1 = (x: number): number => Math.round(x * 10) / 10
export const round3 = (x: number): number => Math.round(x * 1000) / 1000
