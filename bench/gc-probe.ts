/**
 * Preloaded into a benchmarked process started with `--expose-gc` (`node --expose-gc --import
 * <this> ...`): on SIGUSR2, collects all garbage twice (so what only a dead object kept goes
 * too) and then writes `{"event":"collected"}` to stdout, so a bench measures what is live.
 */
if (process.env.MEDIASWARM_BENCH_GC === '1') {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    setImmediate(() => {
      gc?.()
      process.stdout.write(JSON.stringify({ event: 'collected', exposed: gc != null }) + '\n')
    })
  })
}
