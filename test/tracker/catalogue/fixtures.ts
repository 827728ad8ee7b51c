import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Catalogue, CatalogueChange } from '../../../tracker/catalogue/index.js'

/** The bundled sample library (`media/` at the repository root). */
export const BUNDLED_MEDIA = fileURLToPath(new URL('../../../../media/', import.meta.url))

/** A fresh temporary folder; remove it with {@link removeDir}. */
export async function tempDir (label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mediaswarm-catalogue-${label}-`))
}

export async function removeDir (dir: string | undefined): Promise<void> {
  if (dir != null) await rm(dir, { recursive: true, force: true })
}

/**
 * Writes a file (creating its folders). Its mtime is set 10 s into the past unless `fresh`,
 * so that watcher-triggered scans do not hold it back as possibly still being written.
 */
export async function putFile (root: string, path: string, data: string | Uint8Array, fresh = false): Promise<string> {
  const absolute = join(root, path)
  await mkdir(dirname(absolute), { recursive: true })
  await writeFile(absolute, data)
  if (!fresh) {
    const past = new Date(Date.now() - 10_000)
    await utimes(absolute, past, past)
  }
  return absolute
}

/** Deterministic bytes of any length (SHA-256 in counter mode). */
export function bytesOf (length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length)
  for (let offset = 0, i = 0; offset < length; offset += 32, i++) {
    const block = createHash('sha256').update(`${seed}:${i}`).digest()
    out.set(block.subarray(0, Math.min(32, length - offset)), offset)
  }
  return out
}

/**
 * Resolves with the first `change` event whose detail satisfies `predicate`; rejects after
 * `timeoutMs` naming what it waited for.
 */
export async function waitForChange (catalogue: Catalogue, what: string,
  predicate: (change: CatalogueChange) => boolean, timeoutMs = 10_000): Promise<CatalogueChange> {
  return new Promise((resolve, reject) => {
    const onChange = (evt: CustomEvent<CatalogueChange>): void => {
      if (!predicate(evt.detail)) return
      cleanup()
      resolve(evt.detail)
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      catalogue.removeEventListener('change', onChange)
    }
    catalogue.addEventListener('change', onChange)
  })
}

/** Paths of a change's added or removed entries. */
export function pathsOf (entries: Array<{ path: string }>): string[] {
  return entries.map(entry => entry.path)
}
