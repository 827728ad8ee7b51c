import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChildError, killAll } from './procs.js'

function sentence (e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  return /[.!?)]$/.test(msg) ? msg : `${msg}.`
}

/**
 * Runs a benchmark's body, then its cleanup; on any failure (an error, a signal, an
 * unhandled rejection) cleans up once, prints one sentence (and the failed child's stderr
 * tail) and exits non-zero.
 */
export async function runBench (body: () => Promise<void>, cleanup: () => Promise<void>): Promise<void> {
  let exiting = false
  const failAndExit = async (e: unknown, code = 1): Promise<void> => {
    // the first failure wins; later ones (children killed by that cleanup) must not exit early
    if (exiting) return
    exiting = true
    if (e instanceof ChildError && e.child.stderrTail().trim() !== '') {
      console.error(`[bench] ${e.child.name} stderr (tail):\n${e.child.stderrTail().trimEnd()}`)
    }
    await cleanup().catch(() => {})
    console.error(`Benchmark failed: ${sentence(e)}`)
    process.exit(code)
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => { void failAndExit(new Error(`interrupted by ${sig}`), 130) })
  }
  process.on('uncaughtException', (e) => { void failAndExit(e) })
  process.on('unhandledRejection', (e) => { void failAndExit(e) })
  try {
    await body()
    await cleanup()
  } catch (e) {
    await failAndExit(e)
  }
}

/** A benchmark's temporary folder: made by `create`; `cleanup` kills every child, then removes it unless kept. */
export class BenchDir {
  #path: string | undefined
  #keep = false
  readonly #log: (msg: string) => void

  constructor (log: (msg: string) => void) {
    this.#log = log
  }

  async create (prefix: string, keep: boolean): Promise<string> {
    this.#keep = keep
    this.#path = await mkdtemp(join(tmpdir(), prefix))
    return this.#path
  }

  readonly cleanup = async (): Promise<void> => {
    await killAll()
    if (this.#path === undefined) return
    if (this.#keep) {
      this.#log(`kept ${this.#path}`)
      return
    }
    await rm(this.#path, { recursive: true, force: true })
    this.#path = undefined
  }
}
