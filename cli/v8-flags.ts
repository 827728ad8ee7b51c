/**
 * V8 tuning for mediaswarm's processes, applied before any other module runs (first import
 * of the CLI entry). V8 hands a function to its optimizing compiler (TurboFan, on a
 * background thread) once the function has run about 66 KB of bytecode. A mediaswarm process
 * runs a deep stack (libp2p, yamux, TLS, protobuf, the session) for seconds to minutes, so
 * that threshold sends ~80 lukewarm functions to TurboFan: `perf` showed 22-30 % of a fresh
 * peer daemon's CPU for a 64 MiB download compiling them. With a 16x budget only the really
 * hot functions are optimized (later), and every function runs as Sparkplug baseline code
 * from its first call instead of in the interpreter (baseline code compiles in a single fast
 * pass). Measured in docs/benchmarks.md (A/B with MEDIASWARM_V8_FLAGS=default).
 *
 * `MEDIASWARM_V8_FLAGS=default` leaves V8's defaults (for comparisons); any other non-empty
 * value is a space-separated list of V8 flags used instead of these.
 */
import { setFlagsFromString } from 'node:v8'

export const V8_FLAGS = ['--interrupt-budget=1081344', '--always-sparkplug'] as const

const chosen = process.env.MEDIASWARM_V8_FLAGS?.trim() ?? ''
const flags = chosen === 'default' ? [] : chosen === '' ? V8_FLAGS : chosen.split(/\s+/)
for (const flag of flags) setFlagsFromString(flag)
