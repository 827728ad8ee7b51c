import type { ServableFile } from './piece-source.js'

/**
 * Where the next piece to send sits in a downloader's wants: the first, or the one the file
 * has served least so far (the tracker's super-seeding: rare pieces go out first). Stops
 * early at a piece never served.
 */
export function leastServedAt (wants: readonly number[], file: Pick<ServableFile, 'timesServed'>): number {
  const timesServed = file.timesServed
  let at = 0
  if (timesServed != null && wants.length > 1) {
    let best = timesServed.call(file, wants[0])
    for (let i = 1; i < wants.length && best > 0; i++) {
      const n = timesServed.call(file, wants[i])
      if (n < best) {
        best = n
        at = i
      }
    }
  }
  return at
}
