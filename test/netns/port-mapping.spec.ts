/**
 * A peer behind a home router that offers UPnP IGD (c) or NAT-PMP (d) maps its own port and
 * is reached directly (real CLI on the simulated internet of test/fixtures/netns.ts). The
 * routers give every outgoing connection a new port, so no hole can be punched: only the
 * mapping (an nftables DNAT rule the router's responder installs) lets B reach A.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { jsonLines, useInternet } from '../fixtures/netns.js'
import { startGet, startTracker, statusUntil, workspace } from './cli-swarm.js'
import type { JsonLines } from '../fixtures/netns.js'
import type { Workspace } from './cli-swarm.js'
import type { IgdRouterEvent, IgdRouterInit } from './igd-router.js'
import type { PmpRouterEvent } from './pmp-router.js'

const FILE_SIZE = 4 * 1024 * 1024

type RouterEvent = IgdRouterEvent | PmpRouterEvent
type Event<K extends RouterEvent['event']> = Extract<RouterEvent, { event: K }>
const is = <K extends RouterEvent['event']>(kind: K) => (v: any): v is Event<K> => v?.event === kind

/** The two ways a home router offers a port mapping, each run in the router namespace. */
const ROUTERS = [
  { label: '(c)', name: 'UPnP', does: 'maps its port on the router', script: fileURLToPath(new URL('./igd-router.js', import.meta.url)) },
  { label: '(d)', name: 'NAT-PMP', does: 'maps its port with NAT-PMP on its default gateway', script: fileURLToPath(new URL('./pmp-router.js', import.meta.url)) }
]

describe('netns: a peer behind a router that maps ports (UPnP IGD, NAT-PMP; real CLI)', function () {
  this.timeout(120_000)
  const makeInternet = useInternet()
  let ws: Workspace | undefined

  afterEach(async function () {
    await ws?.remove()
    ws = undefined
  })

  for (const router of ROUTERS) {
    it(`${router.label} ${router.name}: ${router.does} and is reached directly through the mapping`, async function () {
      const net = await makeInternet()
      ws = await workspace(FILE_SIZE)
      const home1 = await net.home({ mapping: 'random', upnp: true })
      const home2 = await net.home({ mapping: 'random' })
      // both responders take the same settings (IgdRouterInit and PmpRouterInit agree)
      const init: IgdRouterInit = { publicAddress: home1.publicAddress, wan: home1.wan, gatewayAddress: home1.gatewayAddress }
      const responder: JsonLines = jsonLines(net.spawn(home1.router, process.execPath, [router.script, JSON.stringify(init)]))
      await responder.wait(is('ready'), 20_000)

      const tracker = await startTracker(net, ws, ['--max-upload-rate', '1MiB'])
      const a = startGet(net, home1.host, ws, tracker, 'a', ['--seed', '--listen', '/ip4/0.0.0.0/tcp/0'])
      const mapped = await responder.wait(is('mapped'), 30_000)
      assert.equal(mapped.mapping.internalClient, home1.lanAddress)
      await a.saved(60_000)

      // the tracker dials A back through the mapping before naming it as reachable that way
      const status = await statusUntil(net, ws, tracker, s => s.reachability.upnp >= 1, 30_000)
      assert.ok(status.reachability.upnp >= 1, `the tracker never saw A as reachable through ${router.name}: ${JSON.stringify(status.reachability)}`)

      const b = startGet(net, home2.host, ws, tracker, 'b', ['--no-share'])
      const [got] = await b.result(90_000)
      assert.deepEqual(await readFile(b.output), ws.file, 'B has the file, byte-identical')
      assert.equal(b.punches().length, 0, 'no hole was punched: these routers map each connection to a new port')
      assert.ok(got.bytesFromPeers >= FILE_SIZE / 2, `B got only ${got.bytesFromPeers} of ${FILE_SIZE} bytes from A`)
      // the bytes came straight from A's router, through the mapped port
      assert.ok(await net.directBytesInto(home2) >= got.bytesFromPeers)
      process.stderr.write(`[netns] ${router.label} ${router.name}: A mapped ${home1.publicAddress}:${mapped.mapping.externalPort} -> ${mapped.mapping.internalClient}:${mapped.mapping.internalPort}; ` +
        `B got ${(100 * got.bytesFromPeers / FILE_SIZE).toFixed(0)}% from A directly\n`)
    })
  }
})
