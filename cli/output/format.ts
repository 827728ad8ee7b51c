/** Formats bytes with binary units: 1.5 MiB. */
export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}

/** Formats seconds as 1:05, 1:02:03. */
export function formatDuration (seconds: number | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return ''
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`
}

/** Formats an ETA in ms: 12 s, 3 min. */
export function formatEta (ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '?'
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

/** Parses a rate or size like 4MiB, 500k, 1.5MB, 1048576 into bytes. */
export function parseBytes (text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*(?:\/s)?\s*$/i.exec(text)
  if (m == null) return undefined
  const power = ' kmgt'.indexOf(m[2].toLowerCase() === '' ? ' ' : m[2].toLowerCase())
  const base = m[3] !== '' || m[2] === '' ? 1024 : 1000
  const n = Number(m[1]) * base ** power
  return Number.isFinite(n) ? Math.round(n) : undefined
}

/** Lays rows out in aligned columns. */
export function table (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (r: string[]): string => r.map((c, i) => i === r.length - 1 ? c : (c ?? '').padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}
