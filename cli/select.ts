import type { CatalogueItem } from '../node/index.js'

/** True when a pattern uses glob syntax (`*`, `?`, `[...]`). */
export function isGlob (pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

/** A glob as a regular expression: `*` within a path segment, `**` across segments, `?` one character, `[...]` a class. */
export function globToRegExp (glob: string): RegExp {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') { out += '.*'; i++; if (glob[i + 1] === '/') i++ } else out += '[^/]*'
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 1)
      if (close < 0) { out += '\\['; continue }
      const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\')
      out += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`
      i = close
    } else {
      out += c.replace(/[.+^${}()|\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${out}$`, 'i')
}

/**
 * The catalogue items `--select PATTERN` names: with glob syntax, those whose path or file
 * name matches the glob; without, those whose path, title or artist contains the words.
 */
export function selectItems (items: CatalogueItem[], pattern: string): CatalogueItem[] {
  if (isGlob(pattern)) {
    const re = globToRegExp(pattern)
    return items.filter(i => re.test(i.path) || re.test(i.path.split('/').pop() ?? i.path))
  }
  const words = pattern.toLowerCase().split(/\s+/).filter(Boolean)
  return items.filter(i => {
    const text = [i.path, i.title ?? '', i.artist ?? '', i.album ?? ''].join(' ').toLowerCase()
    return words.every(w => text.includes(w))
  })
}
