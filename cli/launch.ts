/**
 * What the `mediaswarm` bin runs first: it picks how the CLI's code is loaded.
 *
 * - A command that starts a libp2p node in this process (`tracker`, `peer`, and `get`,
 *   `play`, `ls`, `status` when no daemon owns their home) runs the whole CLI as one
 *   CommonJS bundle through V8's code cache (cli/code-cache.ts): its ~0.9 MB of JavaScript
 *   come back compiled instead of being parsed and compiled at every start.
 * - Everything else (help, version, keygen, a command a daemon serves) imports the ES module
 *   bundle, split so that it loads only the little code it needs: reading the whole bundle
 *   and its cache would cost such a command more than compiling its few chunks.
 *
 * A run that exits 0 writes the cache when it found none or V8 refused it. The cache lives
 * in `$MEDIASWARM_CODE_CACHE` (a folder), else `$XDG_CACHE_HOME/mediaswarm`, else
 * `~/.cache/mediaswarm`, one file per command and bundle; `MEDIASWARM_CODE_CACHE=off` always
 * takes the ES module path. Both paths run the same code (scripts/bundle-cli.mjs
 * builds both bundles from it).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONTROL_SOCKET } from '../node/daemon/protocol.js'
import { baseHome } from './base-home.js'
import { runCachedScript } from './code-cache.js'
import { restoreV8Defaults } from './v8-flags.js'

/** The bundles, relative to this file (dist/cli/), and the CommonJS bundle's content hash. */
export interface Bundles {
  modules: string
  commonJs: string
  hash: string
}

/** Commands that always start a node. */
const NODE_COMMANDS = new Set(['tracker', 'peer'])
/** Commands that start one unless a daemon owns their home. */
const HOME_COMMANDS = new Set(['get', 'play', 'ls', 'status'])

/** The folder of the code cache, or undefined when it is off. */
export function codeCacheDir (env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.MEDIASWARM_CODE_CACHE?.trim() ?? ''
  if (chosen === 'off') return undefined
  if (chosen !== '') return resolve(chosen)
  const xdg = env.XDG_CACHE_HOME
  return join(xdg != null && xdg !== '' ? resolve(xdg) : join(homedir(), '.cache'), 'mediaswarm')
}

/** The value of `--name VALUE` or `--name=VALUE` in `args`. */
function optionValue (args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1]
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3)
  }
  return undefined
}

/**
 * Whether `argv` (the arguments after the bin) starts a node in this process, as far as can
 * be told before loading anything: a guess that only picks the faster loader (a daemon
 * found later, or a stale socket, changes nothing but the speed).
 */
export function startsNode (argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): boolean {
  const [command, ...args] = argv
  if (command == null || args.includes('--help') || args.includes('-h')) return false
  if (NODE_COMMANDS.has(command)) return true
  if (!HOME_COMMANDS.has(command)) return false
  const given = optionValue(args, 'home')
  // `status` without --home asks the tracker's home (cli/commands/status.ts)
  const home = given != null ? resolve(cwd, given) : join(baseHome(env), command === 'status' ? 'tracker' : 'peer')
  return !existsSync(join(home, CONTROL_SOCKET))
}

/** Runs the CLI for `argv` from the bundle that starts it fastest. */
export async function launch (argv: string[], bundles: Bundles): Promise<void> {
  const dir = codeCacheDir()
  const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url))
  if (dir == null || !startsNode(argv)) {
    await import(bundles.modules)
    return
  }
  const name = `cli-${bundles.hash}-${process.versions.v8}-${process.arch}-${argv[0]}${flagsKey()}.v8cache`
  const cached = runCachedScript(here(bundles.commonJs), join(dir, name))
  if (cached.status === 'accepted') return
  // only a run that succeeded writes: a first command that failed early (a typo) compiled
  // little, and an accepted cache is never rewritten
  process.once('exit', (code) => {
    if (code !== 0 || !restoreV8Defaults()) return
    if (cached.save()) removeStale(dir, bundles.hash)
  })
}

/**
 * A process started with V8 flags of its own (`node --perf-basic-prof`, NODE_OPTIONS such
 * as `--max-old-space-size`) has another flag hash, and V8 refuses a cache written under
 * another: such processes get cache files of their own instead of rewriting each other's.
 */
function flagsKey (): string {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim()
  if (flags === '') return ''
  let h = 0x811c9dc5 // FNV-1a: a name, not a secret
  for (let i = 0; i < flags.length; i++) h = Math.imul(h ^ flags.charCodeAt(i), 0x01000193)
  return `-${(h >>> 0).toString(16).padStart(8, '0')}`
}

/** Removes the caches of other builds (a reinstall or an upgrade leaves them behind). */
function removeStale (dir: string, hash: string): void {
  try {
    for (const file of readdirSync(dir)) {
      if (file.startsWith('cli-') && file.endsWith('.v8cache') && !file.startsWith(`cli-${hash}-`)) rmSync(join(dir, file), { force: true })
    }
  } catch {}
}
