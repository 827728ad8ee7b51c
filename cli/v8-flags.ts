/**
 * V8 tuning for mediaswarm's processes, applied before any other module runs (first import
 * of the CLI entry). V8 hands a function to its optimizing compiler (TurboFan, on a
 * background thread) once the function has run about 66 KB of bytecode. A mediaswarm process
 * runs a deep stack (libp2p, yamux, TLS, protobuf, the session) for seconds to minutes, so
 * that threshold sends ~80 lukewarm functions to TurboFan: `perf` showed 22-31 % of a fresh
 * peer daemon's CPU for a 64 MiB download compiling them. With a 16x budget only the really
 * hot functions are optimized (later), and every function runs as Sparkplug baseline code
 * from its first call instead of in the interpreter (baseline code compiles in a single fast
 * pass). Measured in docs/benchmarks.md (A/B with MEDIASWARM_V8_FLAGS=default).
 *
 * The `tracker` command keeps V8's defaults: a tracker is a long-running server under
 * sustained load, where they measured better (`bench:tracker`, alternated: p99 grant latency
 * 3.6 ms and 77 CPU-s with them, 4.6 ms and 89 CPU-s with these flags).
 *
 * `MEDIASWARM_V8_FLAGS=default` leaves V8's defaults (for comparisons); any other non-empty
 * value is a space-separated list of V8 flags used instead (by every command).
 */
import { setFlagsFromString } from 'node:v8'

export const V8_FLAGS = ['--interrupt-budget=1081344', '--always-sparkplug'] as const

/** Commands that run with V8's defaults unless MEDIASWARM_V8_FLAGS names flags. */
const V8_DEFAULTS_FOR = new Set(['tracker'])

const chosen = process.env.MEDIASWARM_V8_FLAGS?.trim() ?? ''
const flags = chosen === 'default'
  ? []
  : chosen !== ''
    ? chosen.split(/\s+/)
    : V8_DEFAULTS_FOR.has(process.argv[2] ?? '') ? [] : V8_FLAGS
for (const flag of flags) setFlagsFromString(flag)
