import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { AnnounceRequest, Peer, TokenBucket, announce, cidString, hashFile, requestTicket } from '../../node/index.js'
import { Tracker } from '../../tracker/index.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { MiB, removeDir, sha256, sha256File, standardLibrary, tempDir, waitFor, within, writeLibrary } from '../fixtures/network.js'
import { cliEnv, startTrackerProcess } from '../fixtures/tracker-process.js'
import type { PeerDownloadEvent, PeerDownloadResult, Ticket, TrackerEvent } from '../../node/index.js'
import type { TrackerInit } from '../../tracker/index.js'
import type { MediaFile } from '../fixtures/network.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'

/** Everything a test started, undone in reverse order after it (even when it failed). */
let cleanups: Array<() => Promise<unknown>> = []
function defer (fn: () => Promise<unknown>): void { cleanups.push(fn) }

/** A temporary root holding a media folder with `files`. */
async function library (label: string, files: MediaFile[]): Promise<{ root: string, media: string }> {
  const root = await tempDir(label)
  defer(async () => removeDir(root))
  const media = join(root, 'media')
  await mkdir(media)
  await writeLibrary(media, files)
  return { root, media }
}

async function cidOfFile (path: string): Promise<CID> {
  return (await hashFile(path)).cid
}

/** Identity of every file of the hash cache: a rewrite (always via rename) changes the inode and mtime. */
async function hashCacheFiles (home: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const mark = async (path: string): Promise<void> => {
    const s = await stat(path)
    out[path.slice(home.length + 1)] = `ino=${s.ino} mtimeMs=${s.mtimeMs} size=${s.size}`
  }
  await mark(join(home, 'catalogue.json'))
  for (const name of await readdir(join(home, 'manifests'))) await mark(join(home, 'manifests', name))
  return out
}

/** A tracker started in this process; `restart` stops it cleanly and starts it again on the same port and home. */
interface InProcessTracker {
  current: Tracker
  port: number
  restart: () => Promise<Tracker>
}

/** `uploadRate`: each start gets its own TokenBucket of this many bytes/s, as a new process would. */
async function startTracker (init: TrackerInit & { uploadRate?: number }): Promise<InProcessTracker> {
  const limiter = (): TokenBucket | undefined => init.uploadRate == null ? undefined : new TokenBucket({ rate: init.uploadRate })
  const first = await Tracker.create({ listen: ['/ip4/127.0.0.1/tcp/0'], watch: false, ...init, limiter: limiter() })
  const handle: InProcessTracker = {
    current: first,
    port: Number(first.addresses[0].split('/')[4]),
    restart: async () => {
      const before = handle.current
      const addresses = before.addresses
      const files = before.catalogue.size
      await before.stop()
      handle.current = await Tracker.create({ ...init, listen: [`/ip4/127.0.0.1/tcp/${handle.port}`], watch: false, limiter: limiter() })
      assert.deepEqual(handle.current.addresses, addresses, 'same PeerId and multiaddr after the restart')
      assert.deepEqual(handle.current.catalogue.stats, { hashed: 0, cached: files }, 'the catalogue came back from the hash cache')
      return handle.current
    }
  }
  defer(async () => handle.current.stop())
  return handle
}

async function startPeer (home: string, tracker: string[], init: { listen?: string[], onTrackerEvent?: (e: TrackerEvent) => void } = {}): Promise<Peer> {
  const peer = await Peer.create({ home, tracker: tracker.map(a => multiaddr(a)), ...init })
  defer(async () => peer.stop())
  return peer
}

/** Reports a grant obtained with requestTicket as a finished transfer, freeing its slot. */
async function releaseTicket (peer: Peer, ticket: Ticket): Promise<void> {
  await announce(peer.host, await peer.connect(), {
    type: AnnounceRequest.Type.DONE, cid: new Uint8Array(ticket.cid.bytes), ticketId: ticket.ticketId, success: true
  }, AbortSignal.timeout(10_000))
}

/** The queue as the tracker sees it: peer ids holding slots, and waiting front first. */
interface QueueView { granted: string[], waiting: string[] }

/** The tracker of the queue-order scenario: in this process, or the CLI in a child process. */
interface QueueTracker {
  addresses: string[]
  queue: () => Promise<QueueView>
  /** Takes the tracker down the variant's way once it has saved `expected` (peer ids, arrival order). */
  restart: (expected: string[], holderTicket: Ticket) => Promise<void>
}

/**
 * One slot held by a raw ticket; three peers' fetches queued behind it in a known order; the
 * tracker restarted; the fetches come back by themselves (same requestId) to their old
 * places and are granted in that order as the slot frees.
 */
async function queueOrderSurvivesRestart (root: string, cid: CID, source: Uint8Array, tracker: QueueTracker): Promise<void> {
  const holder = await startPeer(join(root, 'holder'), tracker.addresses)
  const waiters = [
    await startPeer(join(root, 'waiter-0'), tracker.addresses),
    await startPeer(join(root, 'waiter-1'), tracker.addresses),
    await startPeer(join(root, 'waiter-2'), tracker.addresses)
  ]
  const arrival = waiters.map(p => p.peerId.toString())
  const held = await within('the holder\'s ticket', 10_000, requestTicket(holder.host, await holder.connect(), { cid, requestId: 'holder' }))

  let restarted = false
  const granted: string[] = []
  const before = new Map<string, number[]>(arrival.map(id => [id, []]))
  const after = new Map<string, number[]>(arrival.map(id => [id, []]))
  const stopFetches = new AbortController()
  defer(async () => { stopFetches.abort() })
  const results: Array<Promise<PeerDownloadResult>> = []
  for (const [i, peer] of waiters.entries()) {
    const id = arrival[i]
    const onProgress = (e: PeerDownloadEvent): void => {
      if (e.type === 'queue:granted') granted.push(id)
      if (e.type === 'queue:position') (restarted ? after : before).get(id)?.push(e.position.position)
    }
    const fetch = await peer.fetch(cid, { requestId: `waiter-${i}`, onProgress, signal: stopFetches.signal })
    results.push(fetch.result)
    // arrival order made deterministic: the next peer asks only once this one waits
    await waitFor(`waiter ${i} to wait in the queue`, async () => {
      const q = await tracker.queue()
      return q.waiting.length === i + 1 && q.waiting[i] === id
    })
  }
  await waitFor('every waiter to hear its position', () => arrival.every((id, i) => before.get(id)?.at(-1) === i + 1))
  assert.deepEqual(await tracker.queue(), { granted: [holder.peerId.toString()], waiting: arrival })

  // from here on a position is one the restarted tracker sent: every waiter heard its last
  // position from the old one above, and a quick waiter may ask again and hear its place
  // before restart() has seen the new process print its addresses
  restarted = true
  await tracker.restart([holder.peerId.toString(), ...arrival], held)
  // the restarted tracker holds everyone's place before (or whether or not) they are back
  assert.deepEqual(await tracker.queue(), { granted: [holder.peerId.toString()], waiting: arrival }, 'the queue was restored in arrival order')

  // nobody is told anything by hand: each fetch notices its queue stream died and asks again
  await waitFor('every waiter to ask again and hear its old position', () => arrival.every((id, i) => after.get(id)?.[0] === i + 1), 20_000)
    .catch((err: Error) => { throw new Error(`${err.message}: positions heard after the restart ${JSON.stringify(arrival.map(id => after.get(id)))}, before ${JSON.stringify(arrival.map(id => before.get(id)))}, granted ${JSON.stringify(granted)}`) })
  assert.deepEqual(granted, [], 'nobody was granted while the restored slot is held')

  // the holder's ticket from before the restart still frees the slot
  await releaseTicket(holder, held)
  const done = await within('the three queued downloads', 30_000, Promise.all(results))
  assert.deepEqual(granted, arrival, 'grants follow the arrival order from before the restart')
  for (const [i, id] of arrival.entries()) {
    const seen = after.get(id) ?? []
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k] < seen[k - 1], `waiter ${i} positions decrease after the restart: ${seen.join(',')}`)
    assert.equal(await sha256File(done[i].file.dataPath), sha256(source), `waiter ${i} got the file byte-identical`)
  }
  assert.deepEqual(await tracker.queue(), { granted: [], waiting: [] }, 'every slot was released')
}

describe('integration: tracker restarts', function () {
  afterEach(async function () {
    const fns = cleanups.reverse()
    cleanups = []
    for (const fn of fns) await fn().catch(() => {})
  })

  it('the CLI tracker comes back after SIGINT and after SIGKILL with the same PeerId, multiaddr and catalogue, hashing nothing', async function () {
    const files = standardLibrary()
    const { root, media } = await library('restart-cli', files)
    const home = join(root, 'tracker')
    const env = cliEnv(join(root, 'home'))
    let proc: TrackerProcess = await startTrackerProcess({ media, home, listen: '/ip4/127.0.0.1/tcp/0', env })
    defer(async () => proc.end('SIGKILL'))
    const first = proc
    assert.ok(first.port > 0, 'the first start picked a port')
    assert.ok(first.addresses.every(a => a.endsWith(`/p2p/${first.peerId}`)))
    const cache = await hashCacheFiles(home)
    assert.equal(Object.keys(cache).length, 1 + new Set(files.map(f => sha256(f.data))).size, 'the index and one manifest per distinct file')

    // a peer in this process checks what the tracker serves each time
    const peer = await startPeer(join(root, 'peer'), first.addresses)
    const served = async (): Promise<string[]> => (await peer.list(undefined, AbortSignal.timeout(10_000))).map(i => `${i.path} ${cidString(i)} ${i.size}`).sort()
    const catalogue = await served()
    assert.equal(catalogue.length, files.length)

    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const exit = await proc.end(signal)
      if (signal === 'SIGINT') {
        assert.deepEqual(exit, { code: 0, signal: null }, `a clean stop exits 0; stderr: ${proc.cli.stderrTail()}`)
        await assert.rejects(stat(join(home, 'tracker.addr')), { code: 'ENOENT' }, 'a clean stop removes tracker.addr')
      } else {
        assert.deepEqual(exit, { code: null, signal: 'SIGKILL' })
      }
      proc = await startTrackerProcess({ media, home, listen: `/ip4/127.0.0.1/tcp/${first.port}`, env })
      assert.deepEqual(proc.addresses, first.addresses, `after ${signal}: same PeerId and multiaddr`)
      assert.deepEqual(await hashCacheFiles(home), cache, `after ${signal}: the hash cache index and manifests were not rewritten (nothing re-hashed)`)
      assert.deepEqual(await served(), catalogue, `after ${signal}: the same catalogue is served`)
    }

    // the same home in-process: the catalogue counts what it hashed
    await proc.end('SIGINT')
    const tracker = await Tracker.create({ home, mediaDir: media, listen: [`/ip4/127.0.0.1/tcp/${first.port}`], watch: false })
    defer(async () => tracker.stop())
    assert.deepEqual(tracker.catalogue.stats, { hashed: 0, cached: files.length }, 'no file was hashed again')
    assert.deepEqual(tracker.addresses, first.addresses)
    assert.deepEqual(await served(), catalogue)
  })

  it('queued requests keep their order across a clean restart (in-process tracker)', async function () {
    const files = standardLibrary()
    const { root, media } = await library('restart-queue-clean', files)
    const t = await startTracker({ home: join(root, 'tracker'), mediaDir: media, slots: 1, graceMs: 10_000 })
    const cid = await cidOfFile(join(media, 'big.mp4'))
    await queueOrderSurvivesRestart(root, cid, files[0].data, {
      addresses: t.current.addresses,
      queue: async () => ({ granted: t.current.queue.grants().map(g => g.peerId), waiting: t.current.queue.waiting().map(w => w.peerId) }),
      restart: async () => { await t.restart() }
    })
  })

  it('queued requests keep their order across a crash (CLI tracker killed with SIGKILL)', async function () {
    // a crash is the real thing: the tracker process is killed -9 once it has saved the
    // queue (it saves within 50 ms of a change; a crash inside that window loses the change)
    const files = standardLibrary()
    const { root, media } = await library('restart-queue-crash', files)
    const home = join(root, 'tracker')
    const env = cliEnv(join(root, 'home'))
    const args = ['--slots', '1']
    let proc = await startTrackerProcess({ media, home, listen: '/ip4/127.0.0.1/tcp/0', args, env })
    defer(async () => proc.end('SIGKILL'))
    const { port, addresses } = proc
    const cid = await cidOfFile(join(media, 'big.mp4'))
    // the tracker's own view, through its status protocol, asked by a peer that takes no part;
    // it uses the tracker's admin identity (in the tracker's home): only the operator sees the queue
    const observer = await startPeer(join(home, 'admin'), addresses)
    await queueOrderSurvivesRestart(root, cid, files[0].data, {
      addresses,
      queue: async () => {
        const status = await observer.trackerStatus(AbortSignal.timeout(10_000))
        return { granted: status.queue.filter(q => q.granted).map(q => q.peerId), waiting: status.queue.filter(q => !q.granted).map(q => q.peerId) }
      },
      restart: async (expected, holderTicket) => {
        const ticketId = Buffer.from(holderTicket.ticketId).toString('hex')
        await waitFor('queue.json to hold the whole queue and the holder\'s ticket', async () => {
          const state = JSON.parse(await readFile(join(home, 'queue.json'), 'utf8').catch(() => '{}')) as { requests?: Array<{ peerId: string }>, tickets?: Record<string, unknown> }
          return JSON.stringify(state.requests?.map(r => r.peerId)) === JSON.stringify(expected) && state.tickets?.[ticketId] != null
        })
        assert.deepEqual(await proc.end('SIGKILL'), { code: null, signal: 'SIGKILL' })
        proc = await startTrackerProcess({ media, home, listen: `/ip4/127.0.0.1/tcp/${port}`, args, env })
        assert.deepEqual(proc.addresses, addresses, 'same PeerId and multiaddr after the crash')
      }
    })
  })

  it('a sharing peer reconnects by itself and re-announces, so tickets name it again', async function () {
    const files = standardLibrary()
    const { root, media } = await library('restart-reshare', files)
    const t = await startTracker({ home: join(root, 'tracker'), mediaDir: media })
    const cid = await cidOfFile(join(media, 'big.mp4'))
    const events: TrackerEvent[] = []
    const sharer = await startPeer(join(root, 'sharer'), t.current.addresses, { listen: ['/ip4/127.0.0.1/tcp/0'], onTrackerEvent: (e) => events.push(e) })
    const sharerId = sharer.peerId.toString()
    const first = await within('the sharer\'s download', 20_000, sharer.download(cid))
    assert.equal(first.file.complete, true)
    await waitFor('the tracker to list the sharer', () => t.current.providers.providers(cid.toString()).some(p => p.peer === sharerId))

    const tracker = await t.restart()
    await waitFor('tracker:back', () => events.some(e => e.type === 'tracker:back'), 20_000)
    assert.deepEqual(events.map(e => e.type), ['tracker:lost', 'tracker:back'])
    assert.ok(events[1].type === 'tracker:back' && events[1].files >= 1, 'it re-announced what it holds')
    const listed = tracker.providers.providers(cid.toString()).find(p => p.peer === sharerId)
    assert.ok(listed != null, 'the restarted tracker lists the sharer again')
    assert.equal(listed.holding.complete, true)

    const downloader = await startPeer(join(root, 'downloader'), t.current.addresses)
    let ticket: Ticket | undefined
    const result = await within('the new downloader', 20_000, downloader.download(cid, {
      onProgress: (e) => { if (e.type === 'queue:granted') ticket = e.ticket }
    }))
    const named = ticket?.providers.find(p => p.peerId === sharerId)
    assert.ok(named != null, 'the new downloader\'s ticket names the sharer')
    assert.ok(named.multiaddrs.length > 0, 'with its addresses')
    assert.ok(result.bytesFromPeers > 0, 'and the downloader fetched from it')
    assert.equal(await sha256File(result.file.dataPath), sha256(files[0].data))
  })

  it('a download in progress survives a tracker restart and completes byte-identical', async function () {
    const size = 6 * MiB + 123
    const files: MediaFile[] = [{ path: 'film.mp4', data: pseudoRandomBytes(size, 21), mime: 'video/mp4' }]
    const { root, media } = await library('restart-download', files)
    // the restored grant keeps its slot for graceMs unless renewed: a grace much shorter than
    // the rest of the transfer shows that the downloader's renewals re-attach it
    const graceMs = 2500
    const t = await startTracker({ home: join(root, 'tracker'), mediaDir: media, graceMs, uploadRate: MiB })
    const trackerId = t.current.host.peerId.toString()
    const cid = await cidOfFile(join(media, 'film.mp4'))
    const peer = await startPeer(join(root, 'peer'), t.current.addresses)

    let verified = 0
    let verifiedAfter = 0
    let restarted = false
    const dropped: string[] = []
    const download = peer.download(cid, {
      onProgress: (e) => {
        if (e.type === 'transfer:piece-verified') { verified += e.bytes; if (restarted) verifiedAfter += e.bytes }
        if (e.type === 'transfer:provider-dropped') dropped.push(e.provider)
      }
    })
    download.catch(() => {})
    await waitFor('1.5 MiB to arrive', () => verified >= 1.5 * MiB, 15_000)
    const tracker = await t.restart()
    const restartedAt = Date.now()
    restarted = true
    const atRestart = verified
    assert.ok(atRestart < size, 'the tracker restarted mid-transfer')

    const result = await within('the download after the restart', 40_000, download)
    assert.ok(verifiedAfter > 0, 'pieces arrived after the restart')
    assert.ok(dropped.includes(trackerId), 'the session saw the tracker go')
    assert.equal(verified, size, 'every byte verified once')
    assert.equal(result.bytesFromTracker, size)
    assert.equal(result.file.complete, true)
    assert.equal(await sha256File(result.file.dataPath), sha256(files[0].data), 'byte-identical')
    // the rate limit makes the rest of the transfer outlast the grace; the grant outlived it
    // (renewals re-attached it), so the restarted tracker accepted the download's "done"
    assert.ok(Date.now() - restartedAt > graceMs, 'the transfer went on past the restored grant\'s grace')
    assert.equal(tracker.stats.byFile()[cid.toString()]?.completed, 1, 'the restarted tracker accepted the download\'s done')
    assert.equal(tracker.queue.stats().granted, 0, 'the slot was released')
  })
})
