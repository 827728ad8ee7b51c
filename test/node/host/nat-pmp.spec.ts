import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost, selfReachability } from '../../../node/host/index.js'
import { defaultGateways } from '../../../node/host/nat-pmp.js'
import { startNatPmpResponder } from '../../fixtures/nat-pmp-responder.js'
import { waitFor } from '../../fixtures/network.js'
import type { Host } from '../../../node/host/index.js'
import type { NatPmpResponder, NatPmpResponderInit, PmpMapping } from '../../fixtures/nat-pmp-responder.js'

/** A private WAN address, as behind a carrier-grade NAT or in the namespace tests. */
const EXTERNAL_IP = '10.98.0.1'

describe('node/host/nat-pmp: NAT-PMP port mapping against the test responder (loopback)', function () {
  let pmp: NatPmpResponder | undefined
  let host: Host | undefined
  afterEach(async function () {
    await host?.stop()
    await pmp?.close()
    host = undefined
    pmp = undefined
  })

  /** A host whose only gateway is the responder (no UPnP: `gateways: []`). */
  async function start (init: Omit<NatPmpResponderInit, 'externalIp'>, ttlMs?: number): Promise<{ h: Host, p: NatPmpResponder, port: number }> {
    const p = pmp = await startNatPmpResponder({ externalIp: EXTERNAL_IP, ...init })
    const h = host = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      upnp: { gateways: [], pmpGateways: ['127.0.0.1'], pmpPort: p.port, ttlMs }
    })
    const port = Number(h.getMultiaddrs()[0].toString().split('/')[4])
    return { h, p, port }
  }

  it('maps the listening port, advertises the private external address, and deletes the mapping on stop', async function () {
    const asked: PmpMapping[] = []
    const { h, p, port } = await start({ onMap: (m) => { asked.push({ ...m }) } })
    await waitFor('a port mapping', () => (h.services.portMapping?.mappings.length ?? 0) > 0)
    assert.deepEqual(asked, [{ protocol: 'TCP', internalClient: '127.0.0.1', internalPort: port, externalPort: port, lifetime: 3600 }])
    assert.deepEqual(h.services.portMapping?.mappings, [{ internalHost: '127.0.0.1', internalPort: port, externalHost: EXTERNAL_IP, externalPort: port }])
    await waitFor('the mapped address advertised', () => h.getMultiaddrs().some(a => a.toString().startsWith(`/ip4/${EXTERNAL_IP}/tcp/${port}/p2p/`)))
    assert.equal(selfReachability(h.services), 'upnp')
    assert.deepEqual([...p.mappings.keys()], [`TCP:${port}`])
    await h.stop()
    host = undefined
    assert.deepEqual(asked.slice(1), [{ protocol: 'TCP', internalClient: '127.0.0.1', internalPort: port, externalPort: 0, lifetime: 0 }], 'deleted (lifetime 0) on stop')
    assert.equal(p.mappings.size, 0)
  })

  it('renews a mapping before the lifetime the gateway granted ends', async function () {
    const asked: PmpMapping[] = []
    const { h, port } = await start({ maxLifetime: 2, onMap: (m) => { asked.push({ ...m }) } })
    await waitFor('a port mapping', () => (h.services.portMapping?.mappings.length ?? 0) > 0)
    await waitFor('a renewal', () => asked.length >= 2)
    assert.deepEqual(asked[1], { protocol: 'TCP', internalClient: '127.0.0.1', internalPort: port, externalPort: port, lifetime: 3600 })
  })

  it('a gateway that refuses (result code 2) leaves nothing mapped and the node running', async function () {
    const { h, p } = await start({ resultCode: 2 })
    await waitFor('the external address request', () => p.requests.includes(0))
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(h.services.portMapping?.mappings, [])
    assert.ok(!h.getMultiaddrs().some(a => a.toString().includes(EXTERNAL_IP)))
    assert.equal(selfReachability(h.services), undefined)
    assert.equal(h.status, 'started')
  })

  it('a gateway that grants the address but refuses the mapping leaves nothing advertised', async function () {
    const { h, p } = await start({ onMap: () => { throw new Error('port taken') } })
    await waitFor('the mapping request', () => p.requests.includes(2))
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(h.services.portMapping?.mappings, [])
    assert.ok(!h.getMultiaddrs().some(a => a.toString().includes(EXTERNAL_IP)))
    assert.equal(h.status, 'started')
  })

  it('hostile replies (short, garbage, wrong version or opcode) do not crash the node and map nothing', async function () {
    const junk = (req: Buffer): Buffer[] => [
      Buffer.alloc(0),
      Buffer.from([0]),
      Buffer.from([0, 128 + (req[1] ?? 0)]),
      Buffer.from([0, 128 + (req[1] ?? 0), 0, 0, 0, 0, 0]),
      Buffer.from([0, 128 + (req[1] ?? 0), 0, 0, 0, 0, 0, 0, 10]),
      Buffer.from([0, 128 + (req[1] ?? 0), 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0]),
      Buffer.from([1, 128, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]),
      Buffer.from([0, 200, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1, 0, 0, 0, 0]),
      Buffer.from('garbage garbage garbage garbage')
    ]
    const { h, p } = await start({ hostile: junk })
    await waitFor('the retransmissions', () => p.requests.length >= 3)
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(h.services.portMapping?.mappings, [])
    assert.ok(!h.getMultiaddrs().some(a => a.toString().includes(EXTERNAL_IP)))
    assert.equal(h.status, 'started')
  })

  it('defaultGateways reads IPv4 default routes from /proc/net/route', async function () {
    const found = await defaultGateways()
    for (const g of found) assert.match(g, /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/)
  })
})
