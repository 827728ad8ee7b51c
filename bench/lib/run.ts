import { ChildError } from './procs.js'

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
