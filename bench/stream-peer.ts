/**
 * One side of a bare libp2p stream transfer (mediaswarm's host configuration, no mediaswarm
 * protocol), run as its own process by bench/stream.ts. Both modes end by printing the CPU
 * time they spent on the transfer (start-up, key generation and dialling excluded) and their
 * peak RSS.
 *
 *   node stream-peer.js recv
 *     listens on 127.0.0.1:0, prints {"addr":A}, reads ONE stream of the bench protocol to
 *     its end, prints {"bytes":B,"ms":T,"encryption":E,"multiplexer":M,...usage} and exits.
 *   node stream-peer.js send <addr> <bytes> <chunkBytes> [noise]
 *     dials, sends <bytes> in chunks with backpressure (waits for 'drain'), closes, prints
 *     its usage. With "noise" the sender offers only Noise (the fallback path).
 */
import '../node/polyfill.js'
import { performance } from 'node:perf_hooks'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../node/host/index.js'
import type { Stream } from '@libp2p/interface'

const PROTOCOL = '/mediaswarm-bench/stream/1'

function fail (message: string): never {
  console.error(message)
  process.exit(1)
}

/** CPU seconds (user + system) of this process so far. */
function cpuNow (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/** Prints `value` with the CPU used since `cpuStart` (start-up excluded) and the peak RSS, then exits. */
function report (value: object, cpuStart: number): void {
  const cpuSec = cpuNow() - cpuStart
  process.stdout.write(JSON.stringify({ ...value, cpuSec, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n', () => process.exit(0))
}

async function receive (): Promise<void> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
  await host.handle(PROTOCOL, async (stream, connection) => {
    const t0 = performance.now()
    const cpu0 = cpuNow()
    let bytes = 0
    for await (const chunk of stream) bytes += chunk.byteLength
    const ms = performance.now() - t0
    await stream.close()
    report({ bytes, ms, encryption: connection.encryption, multiplexer: connection.multiplexer }, cpu0)
  })
  process.stdout.write(JSON.stringify({ addr: host.getMultiaddrs()[0].toString() }) + '\n')
}

/** Resolves on the stream's next 'drain', rejects when it closes first. */
async function drained (stream: Stream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => { stream.removeEventListener('close', onClose); resolve() }
    const onClose = (): void => { stream.removeEventListener('drain', onDrain); reject(new Error('stream closed while waiting for drain')) }
    stream.addEventListener('drain', onDrain, { once: true })
    stream.addEventListener('close', onClose, { once: true })
  })
}

async function send (addr: string, total: number, chunkBytes: number, noiseOnly: boolean): Promise<void> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), ...(noiseOnly ? { encrypters: ['noise'] } : {}) })
  const stream = await host.dialProtocol(multiaddr(addr), PROTOCOL)
  const cpu0 = cpuNow()
  // the content never changes, so one buffer can be queued again and again
  const chunk = new Uint8Array(chunkBytes).map((_, i) => (i * 2654435761) >>> 24)
  let sent = 0
  while (sent < total) {
    const n = Math.min(chunkBytes, total - sent)
    const more = stream.send(n === chunkBytes ? chunk : chunk.subarray(0, n))
    sent += n
    if (!more) await drained(stream)
  }
  // close() resolves before the remote has read everything (up to a window may still be on
  // its way): stopping the host now would cut it off, so wait for the receiver to close too
  const closed = new Promise<void>((resolve) => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
  await stream.close()
  if (stream.status !== 'closed') await closed
  await host.stop()
  report({ sent }, cpu0)
}

const [mode, ...rest] = process.argv.slice(2)
const run = mode === 'recv'
  ? receive()
  : mode === 'send'
    ? send(rest[0], Number(rest[1]), Number(rest[2]), rest[3] === 'noise')
    : fail(`stream-peer: mode must be "recv" or "send", not "${mode}".`)
run.catch((e: unknown) => fail(`stream-peer ${mode}: ${(e as Error).stack ?? String(e)}`))
