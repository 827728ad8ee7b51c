/**
 * Runs `fn` with a signal that aborts after `ms` (with the same `TimeoutError` DOMException
 * as `AbortSignal.timeout`), and clears the timer as soon as `fn` settles.
 * `AbortSignal.timeout` keeps its timer alive until it fires: one per request stream of a
 * busy tracker is thousands of live timers for a wait that usually ends within a millisecond.
 */
export async function withDeadline<T> (ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new DOMException(`Nothing arrived within ${ms} ms`, 'TimeoutError')) }, ms)
  try {
    return await fn(controller.signal)
  } finally {
    clearTimeout(timer)
  }
}
