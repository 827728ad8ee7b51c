/**
 * Connection set-up bench: N sequential connections dialled between two processes with
 * mediaswarm's host configuration (TCP, TLS first, yamux), each closed before the next. Prints
 * one JSON object: CPU milliseconds per connection on the dialling and the listening side,
 * and connections per second, for each mode, modes alternated `--runs` times:
 *   patched    the @libp2p/tls patch as carried (certificate reused, verified certificates cached)
 *   noVerify   certificate reused, every remote certificate parsed and verified again
 *   unpatched  a fresh certificate per connection, every remote certificate verified (the
 *              library's certificate handling; LIBP2P_TLS_DISABLE=cert-cache,verify-cache;
 *              TLS still runs on the TCP socket handle in all three modes)
 *
 *   npm run bench:handshake -- [--connections 200] [--runs 2]
 *
 * Internal modes: `handshake.js listen` prints {"addr":A} and serves until killed;
 * `handshake.js dial <addr> <n>` prints {"ready":true}, waits, dials n times, prints usage.
 */
import '../node/polyfill.js'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../node/host/index.js'
import { median, round1 } from './lib/args.js'
import { cpuSeconds, expectCleanExit, killAll, sleep, startNode, stop, waitForJsonLine } from './lib/procs.js'
import { runBench } from './lib/run.js'

const SELF = fileURLToPath(import.meta.url)
const MODES = { patched: '', noVerify: 'verify-cache', unpatched: 'cert-cache,verify-cache' } as const
type Mode = keyof typeof MODES

const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6 }

async function listen (): Promise<void> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
  process.stdout.write(JSON.stringify({ addr: host.getMultiaddrs()[0].toString() }) + '\n')
}

async function dial (addr: string, n: number): Promise<void> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519') })
  process.stdout.write(JSON.stringify({ ready: true }) + '\n')
  await sleep(500)
  const cpu0 = cpuNow()
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const connection = await host.dial(multiaddr(addr))
    if (connection.encryption !== '/tls/1.0.0') throw new Error(`Connection encrypted with ${connection.encryption}, not TLS.`)
    await connection.close()
  }
  const ms = performance.now() - t0
  const cpuSec = cpuNow() - cpu0
  await host.stop()
  process.stdout.write(JSON.stringify({ n, ms, cpuSec }) + '\n', () => process.exit(0))
}

interface Sample { dialerCpuMs: number, listenerCpuMs: number, perSecond: number }

async function once (mode: Mode, n: number): Promise<Sample> {
  const env = { LIBP2P_TLS_DISABLE: MODES[mode] }
  const listener = startNode(`${mode} listener`, [SELF, 'listen'], undefined, env)
  try {
    const { addr } = await waitForJsonLine(listener, (v): v is { addr: string } => typeof v?.addr === 'string', 20_000)
    const dialer = startNode(`${mode} dialer`, [SELF, 'dial', addr, String(n)], undefined, env)
    await waitForJsonLine(dialer, (v): v is { ready: true } => v?.ready === true, 20_000)
    const l0 = await cpuSeconds(listener.pid)
    const r = await waitForJsonLine(dialer, (v): v is { n: number, ms: number, cpuSec: number } => typeof v?.cpuSec === 'number', 120_000 + n * 1000)
    const l1 = await cpuSeconds(listener.pid)
    await expectCleanExit(dialer, 10_000)
    return { dialerCpuMs: r.cpuSec * 1000 / n, listenerCpuMs: (l1 - l0) * 1000 / n, perSecond: n / (r.ms / 1000) }
  } finally {
    await stop(listener, 1000)
  }
}

async function main (argv: string[]): Promise<void> {
  let n = 200
  let runs = 2
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--connections') n = Number(argv[++i])
    else if (argv[i] === '--runs') runs = Number(argv[++i])
    else throw new Error(`Unknown option "${argv[i]}" (usage: node dist/bench/handshake.js [--connections 200] [--runs 2]).`)
  }
  const samples: Record<Mode, Sample[]> = { patched: [], noVerify: [], unpatched: [] }
  for (let r = 0; r < runs; r++) {
    for (const mode of Object.keys(MODES) as Mode[]) samples[mode].push(await once(mode, n))
  }
  const summary = Object.fromEntries(Object.entries(samples).map(([mode, s]) => [mode, {
    dialerCpuMsPerConnection: round1(median(s.map(x => x.dialerCpuMs))),
    listenerCpuMsPerConnection: round1(median(s.map(x => x.listenerCpuMs))),
    connectionsPerSecond: round1(median(s.map(x => x.perSecond))),
    runs: s.map(x => ({ dialer: round1(x.dialerCpuMs), listener: round1(x.listenerCpuMs) }))
  }]))
  const loadavg = (await import('node:os')).loadavg().map(round1)
  console.log(JSON.stringify({ connections: n, runs, loadavg, ...summary }, null, 2))
}

const [mode, ...rest] = process.argv.slice(2)
if (mode === 'listen') {
  listen().catch((e: unknown) => { console.error(e); process.exit(1) })
} else if (mode === 'dial') {
  dial(rest[0], Number(rest[1])).catch((e: unknown) => { console.error(e); process.exit(1) })
} else {
  void runBench(async () => { await main(process.argv.slice(2)) }, async () => { await killAll() })
}
