import { readFileSync } from 'node:fs'
import { getHeapSpaceStatistics } from 'node:v8'

const mb = (bytes: number): number => Math.round(bytes / 1048576 * 10) / 10

/**
 * Where this process's resident memory is, in MB, to say what a tracker's RSS is made of:
 * `process.memoryUsage()`, V8's heap spaces (committed / used), and /proc/self/smaps summed
 * by kind of mapping: the `node` binary and other files, anonymous memory (V8's heap pages
 * and malloc's arenas alike: `anonNotV8` is anonymous RSS less V8's committed heap, an
 * estimate of the native part), and the process's peak (VmHWM). Linux only; elsewhere the
 * smaps part is left out.
 */
export function memoryBreakdown (): Record<string, unknown> {
  const mem = process.memoryUsage()
  const spaces: Record<string, string> = {}
  let v8Committed = 0
  for (const s of getHeapSpaceStatistics()) {
    spaces[s.space_name] = `${mb(s.physical_space_size)}/${mb(s.space_used_size)}`
    v8Committed += s.physical_space_size
  }
  const out: Record<string, unknown> = {
    rss: mb(mem.rss),
    heapTotal: mb(mem.heapTotal),
    heapUsed: mb(mem.heapUsed),
    external: mb(mem.external),
    arrayBuffers: mb(mem.arrayBuffers),
    v8SpacesCommittedUsed: spaces
  }
  try {
    const smaps = readFileSync('/proc/self/smaps', 'utf8')
    const byKind: Record<string, number> = {}
    let kind = ''
    for (const line of smaps.split('\n')) {
      const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
      if (header != null) {
        const name = header[1]
        kind = name === '' ? 'anon' : name.startsWith('[') ? name : name.endsWith('/node') ? 'node binary' : 'other files'
        continue
      }
      const rss = /^Rss:\s+(\d+) kB$/.exec(line)
      if (rss != null) byKind[kind] = (byKind[kind] ?? 0) + Number(rss[1]) * 1024
    }
    const smapsMB: Record<string, number> = {}
    for (const [k, v] of Object.entries(byKind)) smapsMB[k] = mb(v)
    out.smapsRssMB = smapsMB
    out.anonNotV8 = mb((byKind.anon ?? 0) + (byKind['[heap]'] ?? 0) - v8Committed)
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm != null) out.vmHwm = mb(Number(hwm[1]) * 1024)
  } catch {}
  return out
}
