/**
 * Runs a CommonJS file through V8's code cache. Node 20 keeps no compile cache for ES modules
 * (`module.enableCompileCache` came in Node 22), so a command that starts a node parses and
 * compiles ~0.9 MB of JavaScript at every start. Run as a `vm.Script` with `cachedData`, the
 * functions compiled by an earlier run come back as bytecode instead (measured in
 * docs/profiling.md: a `get` of 1 MiB, 0.49-0.53 → 0.38-0.43 CPU-s).
 *
 * V8 checks a cache against its own version, its flags (a hash of all of them) and the
 * source's length; it rejects one that does not match and the script compiles from source,
 * so a stale cache costs a compile, never correctness. The source check being only the
 * length, the cache file's name must change with the file's content (the caller's key).
 *
 * The cache is written by {@link CachedScript.save}, best called at exit (it then holds every
 * function the run compiled), and only while V8's flags are what they were when the script
 * was compiled (see `restoreV8Defaults` in v8-flags.ts).
 */
import { isAscii } from 'node:buffer'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { Module, createRequire } from 'node:module'
import { dirname } from 'node:path'
import { Script } from 'node:vm'

/** What became of the cache when the script was compiled. */
export type CacheStatus = 'accepted' | 'rejected' | 'missing'

/** A CommonJS file compiled (with the cache, when there was one) and run. */
export interface CachedScript {
  readonly status: CacheStatus
  /** The file's `module.exports` once its top level ran. */
  readonly exports: unknown
  /**
   * Writes the cache for the next run (atomically: a temporary file renamed) unless the one
   * read was accepted. Returns whether it wrote; never throws (a cache is an optimisation).
   */
  save: () => boolean
}

/** Loads and runs `file` as a CommonJS module, with V8's code cache from `cacheFile`. */
export function runCachedScript (file: string, cacheFile: string): CachedScript {
  // an ASCII file (the build makes cli.cjs one) is read as Latin-1: a one-byte string, made
  // in ~0.2 ms, where decoding 2 MB of UTF-8 takes ~20; a shebang line is not JavaScript
  // inside the module wrapper: a comment of the same length
  const bytes = readFileSync(file)
  const source = (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')).replace(/^#!/, '//')
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(cacheFile)
  } catch {}
  const script = new Script(Module.wrap(source), { filename: file, cachedData })
  const status: CacheStatus = cachedData == null ? 'missing' : script.cachedDataRejected === true ? 'rejected' : 'accepted'
  const module = { exports: {} as unknown, id: file, filename: file, loaded: false }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  module.loaded = true
  return {
    status,
    get exports () { return module.exports },
    save: () => status !== 'accepted' && writeCache(cacheFile, () => script.createCachedData())
  }
}

/** Serializes the cache only once its folder exists (a folder that cannot be made costs nothing more). */
function writeCache (cacheFile: string, data: () => Buffer): boolean {
  const tmp = `${cacheFile}.${process.pid}.tmp`
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 })
    writeFileSync(tmp, data(), { mode: 0o600 })
    renameSync(tmp, cacheFile)
    return true
  } catch {
    rmSync(tmp, { force: true })
    return false
  }
}
