/**
 * Tracker memory under hostile announcements: 100 peers, each granted 10 files, announce
 * each file again and again with 4,096 duplicate ranges or oversized bitfields. The tracker
 * (a real CLI process) keeps one clamped bitfield per (peer, file), so its RSS barely moves
 * (it grew by 486 MB from 150 peers when it kept the ranges).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  AnnounceRequest, CATALOGUE_PROTOCOL, CatalogueRequest, CatalogueResponse, StreamReader, announce, expectMessage, hashFile, requestTicket, writeMessage
} from '../../node/index.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { lightClient } from '../fixtures/light-client.js'
import { MiB, removeDir, tempDir, writeLibrary } from '../fixtures/network.js'
import { cliEnv, startTrackerProcess } from '../fixtures/tracker-process.js'
import type { Host } from '../../node/index.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'
import type { PeerId } from '@libp2p/interface'

const PEERS = 100
const FILES = 10
const ROUNDS = 2
const MAX_GROWTH_MB = 50

async function rssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
  return kb / 1024
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T> (items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}

describe('integration: tracker memory under hostile announcements', function () {
  this.timeout(300_000)
  let root: string
  let tracker: TrackerProcess
  const clients: Host[] = []

  before(async function () {
    root = await tempDir('tracker-memory')
    const media = join(root, 'media')
    const files = Array.from({ length: FILES }, (_, i) => ({ path: `f${i}.bin`, data: pseudoRandomBytes(2 * MiB + i, 100 + i), mime: 'application/octet-stream' }))
    await writeLibrary(media, files)
    tracker = await startTrackerProcess({
      media,
      home: join(root, 'tracker'),
      listen: '/ip4/127.0.0.1/tcp/0',
      // every client dials from 127.0.0.1: lift the per-address limits for this test
      args: ['--slots', '64', '--per-address', '100000', '--connections-per-address', '1000'],
      env: cliEnv(join(root, 'home'))
    })
  })

  after(async function () {
    await Promise.all(clients.map(async c => { try { await c.stop() } catch {} }))
    await tracker?.end('SIGINT')
    await removeDir(root)
  })

  it(`${PEERS} peers x ${FILES} files of duplicate ranges and oversized bitfields, ${ROUNDS} rounds: tracker RSS grows < ${MAX_GROWTH_MB} MB`, async function () {
    const started = Date.now()
    const cids = await Promise.all(Array.from({ length: FILES }, async (_, i) => (await hashFile(join(root, 'media', `f${i}.bin`))).cid))
    const trackerId = multiaddr(tracker.addresses[0]).getComponents().find(c => c.name === 'p2p')?.value as string
    const addrs = tracker.addresses.map(a => multiaddr(a))
    // connected one after the other: libp2p limits pending and per-second inbound connections per host
    for (let i = 0; i < PEERS; i++) {
      const host = await lightClient()
      clients.push(host)
      await host.dial(addrs, { signal: AbortSignal.timeout(20_000) })
    }
    const tid = peerIdFromString(trackerId)
    // each peer is granted each file (and releases it): from then on its announcements count
    await pool(clients, 25, async (host) => {
      for (const [i, cid] of cids.entries()) {
        await requestTicket(host, tid, { cid, requestId: `r${i}`, signal: AbortSignal.timeout(60_000) })
        await announce(host, tid, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(cid.bytes), requestId: `r${i}`, success: true })
      }
    })
    const grantedAt = Date.now()
    const before = await rssMb(tracker.cli.proc.pid as number)
    const duplicates = Array.from({ length: 4096 }, (_, k) => ({ start: k % 7, end: 1 + (k % 7) }))
    const oversized = new Uint8Array(60_000).fill(0xaa)
    for (let round = 0; round < ROUNDS; round++) {
      await pool(clients, 10, async (host) => {
        for (const cid of cids) {
          const hostile = round % 2 === 0 ? { ranges: duplicates } : { bitfield: oversized }
          const res = await announce(host, tid, { type: AnnounceRequest.Type.HAVE, cid: new Uint8Array(cid.bytes), ...hostile })
          assert.equal(res.message, '', 'the holding was recorded')
        }
      })
    }
    const after = await rssMb(tracker.cli.proc.pid as number)
    console.log(`      tracker RSS ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB after ${PEERS * FILES * ROUNDS} hostile announcements (${Date.now() - grantedAt} ms; grants took ${grantedAt - started} ms)`)
    assert.ok(after - before < MAX_GROWTH_MB, `tracker RSS grew by ${(after - before).toFixed(1)} MB`)
    // and the tracker did record every (peer, file): each file has PEERS holders
    const status = await announceStatus(clients[0], tid)
    for (const cid of cids) assert.equal(status.get(cid.toString()), PEERS, `holders of ${cid.toString()}`)
  })
})

/** Holders per cid, from the tracker's public status (aggregate counts). */
async function announceStatus (host: Host, tracker: PeerId): Promise<Map<string, number>> {
  const stream = await host.dialProtocol(tracker, CATALOGUE_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  await writeMessage(stream, { type: CatalogueRequest.Type.STATUS, query: '', offset: 0, limit: 0, cid: new Uint8Array(0) }, CatalogueRequest)
  await stream.close()
  const res = await expectMessage(new StreamReader(stream), CatalogueResponse, 4 * MiB, AbortSignal.timeout(10_000))
  return new Map((res.tracker?.transfers ?? []).map(t => [CID.decode(t.cid).toString(), t.providers]))
}
