/**
 * V8 tuning for the processes that move media: a `get` or `play` that runs its own node and
 * the `peer` daemon. V8 hands a function to its optimizing compiler (TurboFan, on a
 * background thread) once the function has run about 66 KB of bytecode. A peer runs a deep
 * stack (libp2p, yamux, TLS, protobuf, the session) for seconds to minutes, so that threshold
 * sends ~80 lukewarm functions to TurboFan: `perf` showed 22-31 % of a fresh peer daemon's
 * CPU for a 64 MiB download compiling them. With a 16x budget only the really hot functions
 * are optimized (later), and every function runs as Sparkplug baseline code from its first
 * call instead of in the interpreter (baseline code compiles in a single fast pass).
 * Measured in docs/benchmarks.md (A/B with MEDIASWARM_V8_FLAGS=default).
 *
 * The flags are set when the process is about to start its node, not at start-up: any V8
 * flag set at run time changes V8's flag hash, and from then on V8 rejects the code cache
 * Node keeps for its own modules (net, tls, crypto, http...), so each one loaded afterwards
 * is compiled from source (measured: the 25 Node modules a `get` loads, 19 ms of CPU with the
 * cache, 50 ms without). By then the node's code is loaded, with the Node modules it
 * imports, and the start-up code that runs once (argument parsing, the home, module set-up)
 * has run in the interpreter without being compiled twice.
 *
 * The `tracker` command keeps V8's defaults: a tracker is a long-running server under
 * sustained load, where they measured better (`bench:tracker`, alternated: p99 grant latency
 * 3.6 ms and 77 CPU-s with them, 4.6 ms and 89 CPU-s with these flags). Commands that only
 * read (`ls`, `status`) keep them too: they are over before the flags would pay.
 *
 * `MEDIASWARM_V8_FLAGS=default` leaves V8's defaults (for comparisons); any other non-empty
 * value is a space-separated list of V8 flags used instead, by every command that starts a
 * node (the tracker's included).
 */
import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'

export const V8_FLAGS = ['--interrupt-budget=1081344', '--always-sparkplug'] as const

/**
 * V8's own values of {@link V8_FLAGS} (Node 20's V8 11.3): setting them back makes V8's flag
 * hash what it was at start, which a code cache written then must carry (cli/code-cache.ts).
 * test/cli/code-cache.spec.ts fails when a Node upgrade changes them.
 */
export const V8_DEFAULTS = ['--interrupt-budget=67584', '--no-always-sparkplug'] as const

/**
 * Node modules a peer loads only once its node runs (libp2p's DNS resolver, its event-loop
 * monitor): loaded before the flags change, from Node's code cache.
 */
const LATE_NODE_MODULES = ['node:dns', 'node:perf_hooks']

/** Commands (and `openHome` roles) that move media, and get {@link V8_FLAGS} by default. */
const TUNED = new Set(['get', 'play', 'peer'])

let applied: readonly string[] | undefined

/** The V8 flags a process running `command` uses (empty: V8's defaults). */
export function v8FlagsFor (command: string, env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const chosen = env.MEDIASWARM_V8_FLAGS?.trim() ?? ''
  if (chosen === 'default') return []
  if (chosen !== '') return chosen.split(/\s+/)
  return TUNED.has(command) ? V8_FLAGS : []
}

/**
 * Sets the V8 flags for `command`, once per process (a later call does nothing). Call it
 * right before the process starts its libp2p node, after the node's modules are loaded.
 * Returns the flags in effect.
 */
export function applyV8Flags (command: string): readonly string[] {
  if (applied != null) return applied
  applied = v8FlagsFor(command)
  if (applied.length === 0) return applied
  const require = createRequire(import.meta.url)
  for (const name of LATE_NODE_MODULES) require(name)
  for (const flag of applied) setFlagsFromString(flag)
  return applied
}

/**
 * Puts back V8's own values of the flags {@link applyV8Flags} may have set, so a code cache
 * written now is accepted by the next process (which compiles before it sets any flag).
 * Returns false, setting nothing, when MEDIASWARM_V8_FLAGS named other flags: their defaults
 * are not known here, and such a process should not write a cache.
 */
export function restoreV8Defaults (env: NodeJS.ProcessEnv = process.env): boolean {
  const chosen = env.MEDIASWARM_V8_FLAGS?.trim() ?? ''
  if (chosen !== '' && chosen !== 'default') return false
  for (const flag of V8_DEFAULTS) setFlagsFromString(flag)
  return true
}
