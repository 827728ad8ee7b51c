import type { QueueClock } from './index.js'

/**
 * The wall clock and Node's timers. Timers are unref'd: a pending lease or grace must not keep
 * a process alive on its own (the tracker's listeners do that).
 */
export const realClock: QueueClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms)
    handle.unref()
    return handle
  },
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
}
