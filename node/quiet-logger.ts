import { defaultLogger } from '@libp2p/logger'
import type { ComponentLogger, Logger } from '@libp2p/interface'

const noop = (): void => {}

/** One disabled logger shared by every component and scope. */
export const SILENT_LOGGER: Logger = Object.assign((): void => {}, {
  enabled: false,
  error: noop,
  trace: noop,
  newScope: (): Logger => SILENT_LOGGER
})

/**
 * The logger of a tracker or a peer: libp2p's default when `DEBUG` names anything, else one
 * shared disabled logger. libp2p asks for a logger per connection and per stream
 * (`forComponent`, `newScope`), and its default builds two `debug` instances and a trace
 * logger each time, enabled or not (each `debug` instance asks the system whether stderr is
 * a terminal): about 9 KB of heap per idle connection and some garbage per stream, which a
 * tracker with 2,000 connected peers, or a peer at each start and each stream, pays for
 * nothing when no log is enabled (`DEBUG` is read once at start-up; nothing enables logs
 * later).
 */
export function quietLogger (env: Record<string, string | undefined> = process.env): ComponentLogger {
  if ((env.DEBUG ?? '') !== '') return defaultLogger()
  return { forComponent: () => SILENT_LOGGER }
}
