import { mkdir, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * `mkdir -p`, one level at a time. Node's `mkdir(path, { recursive: true })` never settles
 * for a path under /proc (it retries forever), so a user's typo there would hang the CLI.
 */
export async function ensureDir (dir: string, mode?: number): Promise<void> {
  const missing: string[] = []
  let d = dir
  while ((await stat(d).catch(() => undefined)) == null) {
    missing.unshift(d)
    const up = dirname(d)
    if (up === d) break
    d = up
  }
  for (const m of missing) {
    await mkdir(m, { mode }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
}
