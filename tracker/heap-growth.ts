import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the tracker's heap grow past what survived the last full collection, in
 * percent (`tracker --heap-growth`). V8's own factor (up to 4x while the program allocates
 * fast) let a tracker under 20,000 requests from 2,000 peers reserve 587 MB of heap for
 * about 100 MB of live data. 50 % sets the next full collection at 1.5x the live data: a
 * few more collections, a smaller peak RSS. It is a growth factor, not a cap: the heap
 * still grows with whatever is really live, so a tracker under legitimate load cannot run
 * out of heap because of it. Measured (bench:tracker, 2,000 TLS peers, runs one after the
 * other under the bench lock, session 5, two pairs): 50 peaked at 444 / 416 MB for 143 /
 * 128 CPU-s, 0 (V8's factor) at 724 / 796 MB for 128 / 106 CPU-s; p99 grant latency 13.4 /
 * 8.3 ms against 17.4 / 5.6 (the loads differed); 100: 492 MB, 122 CPU-s, p99 13.4 ms.
 * The 300-380 MB saved at the peak are worth 10-17 % more CPU on a tracker, so 50 stays
 * the default; 0 suits one with memory to spare.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50

/**
 * Sets V8's heap growing factor for this process to 1 + `percent` / 100 (`0`: V8's
 * default). Process-wide; the `tracker` command calls it, a library embedding a Tracker
 * decides for itself.
 */
export function setHeapGrowth (percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) throw new RangeError(`The heap growth is a whole percentage from 0 to 1000, not ${percent}`)
  setFlagsFromString(`--heap-growing-percent=${percent}`)
}
