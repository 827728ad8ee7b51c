import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AnnounceRequest, TokenBucket, announce, requestTicket } from '../../node/index.js'
import { Tracker } from '../../tracker/index.js'
import { cliEnv, gotOne, spawnCli } from '../fixtures/cli-run.js'
import { EventLog, MiB, sha256, sha256File, startSwarm, waitFor, within } from '../fixtures/swarm.js'
import type { Swarm } from '../fixtures/swarm.js'
import type { RunningCli } from '../fixtures/cli-run.js'

const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0']

describe('integration: get survives crashes and tracker restarts', function () {
  this.timeout(120_000)
  let swarm: Swarm | undefined
  const children: RunningCli[] = []

  afterEach(async function () {
    for (const c of children.splice(0)) {
      if (c.child.exitCode == null && c.child.signalCode == null) c.child.kill('SIGKILL')
      await c.exited.catch(() => {})
    }
    await swarm?.stop()
    swarm = undefined
  })

  function get (s: Swarm, home: string, out: string): RunningCli {
    const running = spawnCli(['get', 'film.mp4', '-o', out, '--tracker', s.tracker.addresses[0], '--home', home, '--json', ...LISTEN], cliEnv(join(s.root, 'base')))
    children.push(running)
    return running
  }

  it('a rerun after SIGKILL asks with the same request id and keeps its place in the queue; the id is forgotten once complete', async function () {
    swarm = await startSwarm({ label: 'get-rerun', fileSize: 2 * MiB, seed: 700, tracker: { slots: 1 } })
    const s = swarm
    const cid = s.cid.toString()
    // the one slot is taken
    const blocker = await s.addPeer()
    const tracker = await blocker.connect()
    const held = await requestTicket(blocker.host, tracker, { cid: s.cid, requestId: 'blocker' })
    const home = join(s.root, 'get-home')
    const out = join(s.root, 'out')
    await mkdir(out)
    const first = get(s, home, out)
    const queued = await waitFor('get to wait in the queue', () => s.tracker.queue.waiting().find(e => e.requestId !== 'blocker'), 30_000)
    const saved = JSON.parse(await readFile(join(home, 'requests.json'), 'utf8')) as Record<string, string>
    assert.equal(saved[cid], queued.requestId, 'the request id in the home is the one queued')
    first.child.kill('SIGKILL')
    await first.exited
    // someone else queues behind it while it is down
    const later = await s.addPeer()
    const laterTicket = requestTicket(later.host, await later.connect(), { cid: s.cid, requestId: 'later' })
    laterTicket.catch(() => {})
    await waitFor('the later request to queue', () => s.tracker.queue.waiting().some(e => e.requestId === 'later'))
    const second = get(s, home, out)
    await waitFor('the rerun to re-attach', () => s.tracker.queue.waiting().find(e => e.requestId === queued.requestId && e.peerId === queued.peerId)?.seq === queued.seq, 30_000)
    const order = s.tracker.queue.waiting().map(e => e.requestId)
    assert.deepEqual(order, [queued.requestId, 'later'], 'the rerun kept its place ahead of the later request')
    await announce(blocker.host, tracker, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(s.cid.bytes), requestId: 'blocker', ticketId: held.ticketId, success: false })
    const result = await within('the rerun', 60_000, second.exited)
    const got = gotOne('rerun', result)
    assert.equal(await sha256File(got.path), sha256(s.data))
    const after = JSON.parse(await readFile(join(home, 'requests.json'), 'utf8')) as Record<string, string>
    assert.equal(after[cid], undefined, 'the request id is kept after the file is complete')
  })

  it('rides out a tracker restart mid-download and completes byte-identical', async function () {
    const RATE = 2 * MiB
    swarm = await startSwarm({ label: 'get-restart', fileSize: 8 * MiB, seed: 800, tracker: { limiter: new TokenBucket({ rate: RATE }) } })
    const s = swarm
    const home = join(s.root, 'get-home')
    const out = join(s.root, 'out')
    await mkdir(out)
    const running = get(s, home, out)
    await waitFor('a first MiB from the tracker', () => s.tracker.stats.totalServedByTracker >= MiB, 30_000)
    const port = Number(s.tracker.addresses[0].split('/')[4])
    await s.tracker.stop()
    const again = await Tracker.create({
      home: join(s.root, 'tracker'), mediaDir: join(s.root, 'media'), listen: [`/ip4/127.0.0.1/tcp/${port}`], watch: false, limiter: new TokenBucket({ rate: RATE })
    })
    s.onStop(async () => again.stop())
    const result = await within('get after the restart', 90_000, running.exited)
    const got = gotOne('get', result)
    assert.equal(await sha256File(got.path), sha256(s.data))
    assert.ok(again.stats.totalServedByTracker > 0, 'the restarted tracker served nothing: the download did not continue across the restart')
  })

  it('the session reconnects to the restarted tracker by itself, without renewals naming it again', async function () {
    const RATE = 2 * MiB
    swarm = await startSwarm({ label: 'session-fallback', fileSize: 6 * MiB, seed: 900, tracker: { limiter: new TokenBucket({ rate: RATE }) } })
    const s = swarm
    // no renewal during the test: only the session itself can bring the tracker back
    const peer = await s.addPeer({ swarmIntervalMs: 10 * 60_000 })
    const trackerId = s.tracker.host.peerId.toString()
    const log = new EventLog()
    const download = peer.download(s.cid, { onProgress: log.onProgress })
    download.catch(() => {})
    await waitFor('a first MiB from the tracker', () => s.tracker.stats.totalServedByTracker >= MiB, 30_000)
    const port = Number(s.tracker.addresses[0].split('/')[4])
    await s.tracker.stop()
    const again = await Tracker.create({
      home: join(s.root, 'tracker'), mediaDir: join(s.root, 'media'), listen: [`/ip4/127.0.0.1/tcp/${port}`], watch: false, limiter: new TokenBucket({ rate: RATE })
    })
    s.onStop(async () => again.stop())
    const result = await within('the download after the restart', 60_000, download)
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    assert.ok(log.of('transfer:provider-connected', trackerId).length >= 2, 'the tracker was not connected again')
    assert.ok(again.stats.totalServedByTracker > 0)
    assert.equal(log.of('transfer:provider-banned').length, 0, 'the tracker was banned')
  })
})
