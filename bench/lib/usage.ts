/** CPU time and peak resident set size of one process. */
export interface ProcessUsage {
  /** User + system CPU seconds. */
  cpuSec: number
  /** Peak RSS (VmHWM / getrusage maxrss), bytes. */
  maxRssBytes: number
}
