/**
 * A peer behind a home router that offers NAT-PMP (and no UPnP IGD) maps its own port on its
 * default gateway and is reached directly (real CLI on the simulated internet of
 * test/fixtures/netns.ts). The routers give every outgoing connection a new port, so no hole
 * can be punched: only the mapping (an nftables DNAT rule the router's NAT-PMP responder
 * installs) lets B reach A.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { jsonLines, useInternet } from '../fixtures/netns.js'
import { startGet, startTracker, statusUntil, workspace } from './cli-swarm.js'
import type { Internet, JsonLines } from '../fixtures/netns.js'
import type { Workspace } from './cli-swarm.js'
import type { PmpRouterEvent, PmpRouterInit } from './pmp-router.js'

const PMP_SCRIPT = fileURLToPath(new URL('./pmp-router.js', import.meta.url))
const FILE_SIZE = 4 * 1024 * 1024

type Event<K extends PmpRouterEvent['event']> = Extract<PmpRouterEvent, { event: K }>
const is = <K extends PmpRouterEvent['event']>(kind: K) => (v: any): v is Event<K> => v?.event === kind

describe('netns: a peer behind a NAT-PMP router (real CLI)', function () {
  this.timeout(120_000)
  const makeInternet = useInternet()
  let ws: Workspace | undefined


  afterEach(async function () {
    await ws?.remove()
    ws = undefined
  })

  it('(d) maps its port with NAT-PMP on its default gateway and is reached directly through the mapping', async function () {
    const net = await makeInternet()
    ws = await workspace(FILE_SIZE)
    const home1 = await net.home({ mapping: 'random', upnp: true })
    const home2 = await net.home({ mapping: 'random' })
    const pmpInit: PmpRouterInit = { publicAddress: home1.publicAddress, wan: home1.wan, gatewayAddress: home1.gatewayAddress }
    const pmp: JsonLines = jsonLines(net.spawn(home1.router, process.execPath, [PMP_SCRIPT, JSON.stringify(pmpInit)]))
    await pmp.wait(is('ready'), 20_000)

    const tracker = await startTracker(net, ws, ['--max-upload-rate', '1MiB'])
    const a = startGet(net, home1.host, ws, tracker, 'a', ['--seed', '--listen', '/ip4/0.0.0.0/tcp/0'])
    const mapped = await pmp.wait(is('mapped'), 30_000)
    assert.equal(mapped.mapping.internalClient, home1.lanAddress)
    await a.saved(60_000)

    // the tracker dials A back through the mapping before naming it as reachable that way
    const status = await statusUntil(net, ws, tracker, s => s.reachability.upnp >= 1, 30_000)
    assert.ok(status.reachability.upnp >= 1, `the tracker never saw A as reachable through NAT-PMP: ${JSON.stringify(status.reachability)}`)

    const b = startGet(net, home2.host, ws, tracker, 'b', ['--no-share'])
    const [got] = await b.result(90_000)
    assert.deepEqual(await readFile(b.output), ws.file, 'B has the file, byte-identical')
    assert.equal(b.punches().length, 0, 'no hole was punched: these routers map each connection to a new port')
    assert.ok(got.bytesFromPeers >= FILE_SIZE / 2, `B got only ${got.bytesFromPeers} of ${FILE_SIZE} bytes from A`)
    // the bytes came straight from A's router, through the mapped port
    assert.ok(await net.directBytesInto(home2) >= got.bytesFromPeers)
    process.stderr.write(`[netns] (d) NAT-PMP: A mapped ${home1.publicAddress}:${mapped.mapping.externalPort} -> ${mapped.mapping.internalClient}:${mapped.mapping.internalPort}; ` +
      `B got ${(100 * got.bytesFromPeers / FILE_SIZE).toFixed(0)}% from A directly\n`)
  })
})
