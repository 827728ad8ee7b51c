import { readdir, realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
import type { Logger } from '@libp2p/interface'

/** A regular file found under the media root. */
export interface FoundFile {
  /** Relative to the root, POSIX separators. */
  path: string
  absolutePath: string
  size: number
  mtimeMs: number
}

/** Options of {@link walk}. */
export interface WalkOptions {
  log: Logger
  /** Real (symlink-free) paths to leave out, e.g. a cache folder inside the root. */
  exclude?: string[]
  signal?: AbortSignal
}

/** True when `child` is `parent` or inside it (both absolute and resolved). */
export function isInside (parent: string, child: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel))
}

/** True when a relative path has a segment starting with a dot (hidden file or folder). */
export function isHidden (relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some(segment => segment.startsWith('.'))
}

/**
 * Lists every regular file under `root`, depth first, skipping dotfiles and dot-folders,
 * special files (fifos, sockets, devices: reading them could block), and symlinks that
 * point outside the root. Symlinked files inside the root are listed under the link's
 * path; symlinked folders are skipped (they would only list the same files twice, or loop).
 * An unreadable folder is logged and skipped; a missing or unreadable root throws.
 */
export async function * walk (root: string, options: WalkOptions): AsyncGenerator<FoundFile> {
  const realRoot = await realpath(root)
  const exclude = options.exclude ?? []
  // the root itself must be listable: a typo in --media should fail loudly
  const rootEntries = await readdir(root, { withFileTypes: true })
  const stack: Array<{ rel: string, entries?: typeof rootEntries }> = [{ rel: '', entries: rootEntries }]

  while (stack.length > 0) {
    options.signal?.throwIfAborted()
    const { rel, entries: listed } = stack.pop() as { rel: string, entries?: typeof rootEntries }
    const dir = join(root, rel)
    let entries = listed
    if (entries == null) {
      try {
        entries = await readdir(dir, { withFileTypes: true })
      } catch (err) {
        options.log.error('cannot list %s: %e', dir, err)
        continue
      }
    }
    const visible = entries.filter(e => !e.name.startsWith('.'))
    const folders: string[] = []
    for (const entry of visible) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`
      const absolutePath = join(root, childRel)
      if (exclude.some(ex => isInside(ex, join(realRoot, childRel)))) continue
      if (entry.isDirectory()) {
        folders.push(childRel)
        continue
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue
      try {
        if (entry.isSymbolicLink()) {
          const target = await realpath(absolutePath)
          if (!isInside(realRoot, target)) {
            options.log('skipping %s: symlink leaves the media folder', childRel)
            continue
          }
        }
        const info = await stat(absolutePath)
        if (!info.isFile()) continue
        yield { path: childRel, absolutePath, size: info.size, mtimeMs: info.mtimeMs }
      } catch (err) {
        // vanished between readdir and stat, or a dangling link
        options.log('skipping %s: %e', childRel, err)
      }
    }
    for (const rel of folders.reverse()) stack.push({ rel })
  }
}
