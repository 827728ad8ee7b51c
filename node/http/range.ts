/** How to answer a request given its Range header. */
export type RangeAnswer =
  | { type: 'full' }
  | { type: 'partial', start: number, end: number }
  | { type: 'unsatisfiable' }

/**
 * Interprets a `Range` header for a representation of `size` bytes (RFC 9110 §14). The
 * returned `end` is exclusive. Malformed and unsatisfiable ranges both answer 416; several
 * ranges at once (multipart) are answered with the whole file, which the RFC allows.
 */
export function parseRange (header: string | undefined, size: number): RangeAnswer {
  if (header == null || header.trim() === '') return { type: 'full' }
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header)
  if (m == null) return { type: 'unsatisfiable' }
  const specs = m[1].split(',').map(s => s.trim())
  if (specs.length > 1) {
    return specs.every(s => /^(\d+-\d*|-\d+)$/.test(s)) ? { type: 'full' } : { type: 'unsatisfiable' }
  }
  const spec = specs[0]
  const suffix = /^-(\d+)$/.exec(spec)
  if (suffix != null) {
    const n = Number(suffix[1])
    if (n === 0 || size === 0) return { type: 'unsatisfiable' }
    return { type: 'partial', start: Math.max(0, size - n), end: size }
  }
  const r = /^(\d+)-(\d*)$/.exec(spec)
  if (r == null) return { type: 'unsatisfiable' }
  const start = Number(r[1])
  // a last-byte position past the end (even past what a number holds) means "to the end"
  const last = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1)
  if (!Number.isSafeInteger(start) || start >= size || last < start) return { type: 'unsatisfiable' }
  return { type: 'partial', start, end: Math.min(last, size - 1) + 1 }
}
