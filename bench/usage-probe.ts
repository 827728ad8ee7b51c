/**
 * Preloaded into benchmarked CLI processes (`node --import <this> dist/cli/main.js …`): when
 * the process exits, however it exits, writes its total CPU time and peak RSS as JSON to the
 * file named by MEDIASWARM_BENCH_USAGE. Nothing happens when that variable is unset.
 */
import { writeFileSync } from 'node:fs'

const out = process.env.MEDIASWARM_BENCH_USAGE
if (out !== undefined && out !== '') {
  process.on('exit', () => {
    const u = process.resourceUsage()
    writeFileSync(out, JSON.stringify({ cpuSec: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssBytes: u.maxRSS * 1024 }))
  })
}
