/**
 * Reachability on loopback: a sharing peer reachable only through the tracker's relay is
 * named with a relay address, never given media over it (the downloader finishes from the
 * tracker), and `status` says how each peer can be reached.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { AnnounceRequest, Peer, announce, requestTicket } from '../../node/index.js'
import { runCli } from '../fixtures/cli-run.js'
import { reachabilityOf } from '../../tracker/providers/reachable-addresses.js'
import { startIgdResponder } from '../fixtures/igd-responder.js'
import { EventLog, MiB, seedFromFile, sha256, sha256File, startSwarm, waitFor } from '../fixtures/swarm.js'
import { removeDir, standardLibrary, tempDir, writeLibrary } from '../fixtures/network.js'
import { cliEnv, startTrackerProcess } from '../fixtures/tracker-process.js'
import type { StatusResult } from '../../cli/commands/status.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'
import type { Swarm } from '../fixtures/swarm.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']

describe('integration: reachability through the tracker (loopback)', function () {
  this.timeout(120_000)
  let swarm: Swarm | undefined

  afterEach(async function () {
    await swarm?.stop()
    swarm = undefined
  })

  /** A seed that listens only through the tracker's relay: nobody can dial it directly. */
  async function relayOnlySeed (s: Swarm): Promise<Peer> {
    const relayListen = s.tracker.addresses.filter(a => a.startsWith('/ip4/')).map(a => `${a}/p2p-circuit`)
    const seed = await s.addPeer({ listen: relayListen })
    await seedFromFile(seed, s.path)
    return seed
  }

  it('names a relay-only provider by a relay address; media never crosses the relay and the download completes from the tracker', async function () {
    const FILE = 2 * MiB
    swarm = await startSwarm({ label: 'relay-only', fileSize: FILE, seed: 71 })
    const s = swarm
    const seed = await relayOnlySeed(s)
    const seedId = seed.peerId.toString()
    const trackerId = s.tracker.host.peerId.toString()
    const downloader = await s.addPeer({ swarmIntervalMs: 300 })
    await waitFor('the seed to be known as relay-only', () => s.tracker.host.services.relay?.reservations.has(seed.peerId))

    // the ticket names the seed through the relay, and only so
    const tracker = await downloader.connect()
    const ticket = await requestTicket(downloader.host, tracker, { cid: s.cid, requestId: 'look' })
    await announce(downloader.host, tracker, { type: AnnounceRequest.Type.DONE, cid: new Uint8Array(s.cid.bytes), requestId: 'look', ticketId: ticket.ticketId, success: false })
    const named = ticket.providers.find(p => p.peerId === seedId)
    assert.ok(named != null, 'the relay-only seed is named')
    const addrs = named.multiaddrs.map(b => multiaddr(b).toString())
    assert.ok(addrs.length > 0 && addrs.every(a => a.includes(`/p2p/${trackerId}/p2p-circuit`)), addrs.join(' '))

    const log = new EventLog()
    const result = await downloader.download(s.cid, { onProgress: log.onProgress })
    assert.equal(await sha256File(result.file.dataPath), sha256(s.data))
    assert.equal(result.bytesFromPeers, 0, 'no byte came over the relay')
    assert.equal(result.bytesFromTracker, FILE)
    assert.equal(seed.uploadedBytes, 0)
    // it did try the seed, over a limited connection, which refused the transfer protocol
    const dropped = log.of('transfer:provider-dropped', seedId)
    assert.ok(dropped.length > 0, 'the downloader tried the seed')
    assert.match(dropped[0].reason, /limited/i)
    assert.ok(downloader.host.getConnections(seed.peerId).every(c => c.limits != null), 'only relayed connections to the seed')
  })

  it('status shows per peer how it is reachable: public, upnp (its router mapped its port), relay-only', async function () {
    swarm = await startSwarm({ label: 'reach-status', fileSize: 256 * 1024, seed: 72 })
    const s = swarm
    const igd = await startIgdResponder({ externalIp: '127.0.0.1', ssdpPort: false })
    s.onStop(async () => { await igd.close() })
    const direct = await s.addPeer({ listen: LISTEN })
    await seedFromFile(direct, s.path)
    const mapped = await s.addPeer({ listen: LISTEN, host: { upnp: { gateways: [igd.descriptionUrl] } } })
    await waitFor('the port mapping', () => (mapped.host.services.portMapping?.mappings.length ?? 0) > 0)
    await seedFromFile(mapped, s.path)
    const relayed = await relayOnlySeed(s)
    const reach = s.tracker.host.services.reachability
    assert.ok(reach != null)
    for (const p of [direct, mapped]) await waitFor('the seeds to be dialled back', () => (reach.info(p.peerId.toString())?.confirmed.length ?? 0) > 0)
    // the dial-back came from another identity: the seed never held a second connection with the tracker
    assert.equal(direct.host.getConnections(s.tracker.host.peerId).length, 1)
    const env = cliEnv(join(s.root, 'base'))
    const json = await runCli(['status', '--json', '--home', join(s.root, 'tracker')], env)
    assert.equal(json.code, 0, json.stderr)
    const st = JSON.parse(json.stdout) as StatusResult
    const how = new Map(st.peers.map(p => [p.peerId, p.reachability]))
    assert.equal(how.get(direct.peerId.toString()), 'public')
    assert.equal(how.get(mapped.peerId.toString()), 'upnp')
    assert.equal(how.get(relayed.peerId.toString()), 'relay-only')
    assert.deepEqual(st.reachability, { public: 1, upnp: 1, holePunched: 0, relayOnly: 1, unknown: 0 })
    assert.equal(st.relay.reserved, 3, 'every seed holds a relay slot (a sharing peer always reserves one)')
    const text = await runCli(['status', '--home', join(s.root, 'tracker')], env)
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /reachable: 1 public, 1 upnp, 0 hole-punched, 1 relay-only, 0 unknown; relay 3\/64 slots in use/)
    assert.match(text.stdout, /CONNECTED PEER\s+REACHABLE/)
    assert.match(text.stdout, new RegExp(`${relayed.peerId.toString()}\\s+relay-only`))
  })

  it('a relay-only peer whose relayed connection is made direct (as a hole punch does) is hole-punched to the tracker', async function () {
    swarm = await startSwarm({ label: 'reach-punched', fileSize: 256 * 1024, seed: 73 })
    const s = swarm
    const a = await relayOnlySeed(s)
    const b = await s.addPeer({ listen: LISTEN })
    await b.connect()
    const aId = a.peerId.toString()
    await waitFor('a to hold a relay slot', () => s.tracker.host.services.relay?.reservations.has(a.peerId))
    assert.equal(reachabilityOf(s.tracker.host, aId), 'relay-only')
    // b reaches a through the relay, then a dials b directly while the relayed connection is open
    const circuit = `${s.tracker.addresses.find(x => x.startsWith('/ip4/')) ?? ''}/p2p-circuit/p2p/${aId}`
    const relayed = await b.host.dial(multiaddr(circuit))
    assert.ok(relayed.limits != null)
    const bAddr = b.host.getMultiaddrs().find(x => !x.toString().includes('/p2p-circuit'))
    assert.ok(bAddr != null)
    await a.host.dial(bAddr)
    assert.equal(a.host.services.upgrades?.upgraded, 1)
    await waitFor('the tracker to learn it', () => reachabilityOf(s.tracker.host, aId) === 'hole-punched')
  })

  describe('the tracker CLI\'s relay flags', function () {
    let root: string | undefined
    let tracker: TrackerProcess | undefined
    const peers: Peer[] = []
    afterEach(async function () {
      await Promise.all(peers.splice(0).map(async p => p.stop().catch(() => {})))
      await tracker?.end('SIGINT')
      await removeDir(root)
      tracker = undefined
      root = undefined
    })

    it('--relay-slots 1 gives one sharing peer a relay slot and refuses the next; status counts it', async function () {
      root = await tempDir('relay-flags')
      const media = join(root, 'media')
      await writeLibrary(media, standardLibrary())
      const env = cliEnv(join(root, 'base'))
      tracker = await startTrackerProcess({ media, home: join(root, 'tracker'), listen: '/ip4/127.0.0.1/tcp/0', args: ['--relay-slots', '1', '--relay-max-bytes', '64KiB', '--relay-max-duration', '30'], env })
      const addrs = tracker.addresses.map(a => multiaddr(a))
      for (let i = 0; i < 2; i++) {
        const p = await Peer.create({ home: join(root, `peer-${i}`), tracker: addrs, listen: LISTEN })
        peers.push(p)
        await p.connect()
        // one at a time, so the first one surely holds the slot
        if (i === 0) await waitFor('the first relay slot', () => p.host.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')))
      }
      await new Promise(resolve => setTimeout(resolve, 1000))
      assert.ok(!peers[1].host.getMultiaddrs().some(a => a.toString().includes('/p2p-circuit')), 'the second peer got no relay slot')
      const json = await runCli(['status', '--json', '--home', join(root, 'tracker')], env)
      assert.equal(json.code, 0, json.stderr)
      assert.deepEqual((JSON.parse(json.stdout) as StatusResult).relay, { reserved: 1, slots: 1 })
    })

    it('a bad --relay-max-bytes or --relay-slots is a usage error (exit 2), in one sentence', async function () {
      root = await tempDir('relay-flags-bad')
      const env = cliEnv(join(root, 'base'))
      for (const args of [['--relay-max-bytes', 'lots'], ['--relay-max-bytes', '12'], ['--relay-slots', '-1'], ['--relay-max-duration', '0']]) {
        const r = await runCli(['tracker', '--media', root, '--home', join(root, 'tracker'), '--listen', '/ip4/127.0.0.1/tcp/0', ...args], env)
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
        assert.match(r.stderr, new RegExp(args[0]))
      }
    })
  })
})
