import type { ServableFile } from './piece-source.js'

/**
 * The choice looks this far into a downloader's wants, which come in its own order of need:
 * a player's pieces (a seek) must not wait behind a whole pipeline of rarer ones.
 */
export const LEAST_SERVED_WITHIN = 4

/**
 * Where the next piece to send sits in a downloader's wants: the first, or the one the file
 * has served least so far among its first `within` (the tracker's super-seeding: rare pieces
 * go out first). Stops early at a piece never served.
 */
export function leastServedAt (wants: readonly number[], file: Pick<ServableFile, 'timesServed'>, within = LEAST_SERVED_WITHIN): number {
  const timesServed = file.timesServed
  let at = 0
  if (timesServed != null && wants.length > 1) {
    let best = timesServed.call(file, wants[0])
    for (let i = 1; i < Math.min(wants.length, within) && best > 0; i++) {
      const n = timesServed.call(file, wants[i])
      if (n < best) {
        best = n
        at = i
      }
    }
  }
  return at
}
