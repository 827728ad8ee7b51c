/**
 * Piece-hashing bench: SHA-256 of 256 MiB in 256 KiB pieces (arriving as four 64 KiB chunks),
 * hashed synchronously on the event loop (the downloader before) against gathered into a
 * pooled buffer and hashed with WebCrypto in libuv's thread pool, four in flight (the
 * downloader now, node/session/piece-hasher.ts). Prints one JSON line per way: wall time,
 * event-loop busy time per GiB (what blocks reading the next piece) and process CPU per GiB.
 *
 *   node dist/bench/piece-hashing.js
 */
import { createHash, randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { PieceHasher } from '../node/session/piece-hasher.js'
import type { Manifest } from '../node/manifest/index.js'

const PIECE = 256 * 1024
const N = 1024
const GiB = (PIECE * N) / 2 ** 30
const chunks = [0, 1, 2, 3].map(() => randomBytes(PIECE / 4))

async function measure (name: string, fn: () => Promise<void>): Promise<void> {
  const elu0 = performance.eventLoopUtilization()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const wallMs = performance.now() - t0
  const elu = performance.eventLoopUtilization(elu0)
  const cpu = process.cpuUsage(cpu0)
  process.stdout.write(JSON.stringify({
    name,
    wallMs: Math.round(wallMs),
    loopBusyMsPerGiB: Math.round(elu.active / GiB),
    processCpuSecondsPerGiB: Math.round(((cpu.user + cpu.system) / 1e6 / GiB) * 100) / 100
  }) + '\n')
}

const hash = createHash('sha256')
for (const c of chunks) hash.update(c)
const one = hash.digest()
const manifest: Manifest = { size: PIECE * N, pieceSize: PIECE, pieceHashes: Buffer.concat(Array.from({ length: N }, () => one)) } as unknown as Manifest

await measure('sync createHash on the event loop', async () => {
  for (let i = 0; i < N; i++) {
    const h = createHash('sha256')
    for (const c of chunks) h.update(c)
    h.digest()
    if (i % 16 === 15) await yieldToLoop()
  }
})

for (const offload of [true, false]) {
  const hasher = new PieceHasher(manifest, offload)
  const name = offload ? 'PieceHasher: pooled gather + WebCrypto digest in the thread pool, 4 in flight' : 'PieceHasher without offload (one core): on the loop, over the chunks'
  await measure(name, async () => {
    let next = 0
    const list = Object.assign(chunks, { byteLength: PIECE })
    const lane = async (): Promise<void> => {
      for (let i = next++; i < N; i = next++) {
        const piece = await hasher.verify(i, list)
        if (piece == null) throw new Error(`piece ${i} failed verification`)
        hasher.release(piece)
      }
    }
    await Promise.all([lane(), lane(), lane(), lane()])
  })
}
