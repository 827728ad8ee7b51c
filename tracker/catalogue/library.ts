import { posix } from 'node:path'
import type { CatalogueEntry } from './index.js'

/**
 * The catalogue's in-memory entries, indexed by path and by cid, with a sorted view and a
 * search text per entry that are built lazily and dropped on every change.
 */
export class Library {
  private readonly paths = new Map<string, CatalogueEntry>()
  /** cid → paths: identical files share a cid. */
  private readonly cids = new Map<string, Set<string>>()
  private readonly haystacks = new WeakMap<CatalogueEntry, string>()
  private sorted?: CatalogueEntry[]

  /** Number of entries. */
  get size (): number {
    return this.paths.size
  }

  /** The entry at this relative path. */
  byPath (path: string): CatalogueEntry | undefined {
    return this.paths.get(path)
  }

  /** An entry with this cid string; the first by path when several files share it. */
  byCid (cid: string): CatalogueEntry | undefined {
    const paths = this.cids.get(cid)
    if (paths == null) return undefined
    let first: string | undefined
    for (const path of paths) if (first == null || path < first) first = path
    return first == null ? undefined : this.paths.get(first)
  }

  /** Paths of all entries, unordered. */
  allPaths (): string[] {
    return [...this.paths.keys()]
  }

  /** Adds an entry, replacing the one at the same path. */
  add (entry: CatalogueEntry): void {
    const old = this.paths.get(entry.path)
    if (old != null) this.remove(old)
    this.paths.set(entry.path, entry)
    let paths = this.cids.get(entry.cidString)
    if (paths == null) {
      paths = new Set()
      this.cids.set(entry.cidString, paths)
    }
    paths.add(entry.path)
    this.sorted = undefined
  }

  /** Removes this entry (a no-op if its path now holds another one). */
  remove (entry: CatalogueEntry): void {
    if (this.paths.get(entry.path) !== entry) return
    this.paths.delete(entry.path)
    const paths = this.cids.get(entry.cidString)
    paths?.delete(entry.path)
    if (paths?.size === 0) this.cids.delete(entry.cidString)
    this.sorted = undefined
  }

  /** Entries sorted by path (code-unit order, so the same everywhere). */
  all (): CatalogueEntry[] {
    this.sorted ??= [...this.paths.values()].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
    return this.sorted
  }

  /** Entries, sorted by path, whose path, title, artist or album contain every word. */
  search (query: string): CatalogueEntry[] {
    const words = query.toLowerCase().split(/\s+/).filter(word => word !== '')
    if (words.length === 0) return this.all()
    return this.all().filter(entry => {
      const haystack = this.haystack(entry)
      return words.every(word => haystack.includes(word))
    })
  }

  /** The only entry whose file name is `name`, else the only one ignoring case. */
  uniqueByBasename (name: string): CatalogueEntry | undefined {
    const lower = name.toLowerCase()
    let exact: CatalogueEntry | undefined
    let exactCount = 0
    let folded: CatalogueEntry | undefined
    let foldedCount = 0
    for (const entry of this.paths.values()) {
      const base = posix.basename(entry.path)
      if (base === name) {
        exact = entry
        exactCount++
      }
      if (base.toLowerCase() === lower) {
        folded = entry
        foldedCount++
      }
    }
    if (exactCount > 0) return exactCount === 1 ? exact : undefined
    return foldedCount === 1 ? folded : undefined
  }

  private haystack (entry: CatalogueEntry): string {
    let text = this.haystacks.get(entry)
    if (text == null) {
      // a separator no query word can contain keeps words from matching across fields
      text = [entry.path, entry.title, entry.artist, entry.album]
        .filter(part => part != null).join('\n').toLowerCase()
      this.haystacks.set(entry, text)
    }
    return text
  }
}
