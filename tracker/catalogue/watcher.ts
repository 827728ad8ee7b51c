import { watch } from 'node:fs'
import { join, relative } from 'node:path'
import { isHidden, isInside } from './walk.js'
import type { Logger } from '@libp2p/interface'
import type { FSWatcher } from 'node:fs'

/** Options of a {@link Watcher}. */
export interface WatcherInit {
  /** The media folder, resolved. */
  dir: string
  /** Its real path. */
  realDir: string
  /** Real paths inside it whose changes do not count (the hash cache's files). */
  ignore: string[]
  debounceMs: number
  /** 0 = no periodic call. */
  pollIntervalMs: number
  /** Called after a burst of relevant changes has been quiet for `debounceMs`, and per poll. */
  onChange: (reason: 'watch' | 'poll') => void
  log: Logger
}

/**
 * Tells the catalogue when to rescan: a recursive fs.watch, debounced, plus a periodic poll
 * for what the watcher misses (network mounts, inotify limits, platforms without recursive
 * watching). A watcher that cannot start or fails is logged and the poll carries on alone.
 */
export class Watcher {
  private readonly init: WatcherInit
  private watcher?: FSWatcher
  private debounceTimer?: NodeJS.Timeout
  private pollTimer?: NodeJS.Timeout

  constructor (init: WatcherInit) {
    this.init = init
  }

  /** Starts the poll timer and the watcher. */
  start (): void {
    const { dir, debounceMs, pollIntervalMs, onChange, log } = this.init
    if (pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => { onChange('poll') }, pollIntervalMs)
      this.pollTimer.unref()
    }
    try {
      const watcher = watch(dir, { recursive: true, persistent: false }, (_event, filename) => {
        if (filename != null && !this.isRelevant(filename.toString())) return
        clearTimeout(this.debounceTimer)
        this.debounceTimer = setTimeout(() => { onChange('watch') }, debounceMs)
        this.debounceTimer.unref()
      })
      watcher.on('error', err => {
        log.error('watcher failed, relying on the periodic rescan: %e', err)
        watcher.close()
        if (this.watcher === watcher) this.watcher = undefined
      })
      this.watcher = watcher
    } catch (err) {
      log.error('cannot watch %s, relying on the periodic rescan: %e', dir, err)
    }
  }

  /** Stops both; a pending debounced call is dropped. */
  stop (): void {
    clearTimeout(this.debounceTimer)
    clearInterval(this.pollTimer)
    this.watcher?.close()
    this.watcher = undefined
  }

  /** Hidden files and ignored paths do not count. */
  private isRelevant (filename: string): boolean {
    if (isHidden(filename)) return false
    const target = join(this.init.realDir, filename)
    return !this.init.ignore.some(path => isInside(path, target)) && relative(this.init.realDir, target) !== ''
  }
}
