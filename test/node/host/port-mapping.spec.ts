import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost, selfReachability } from '../../../node/host/index.js'
import { startIgdResponder } from '../../fixtures/igd-responder.js'
import { waitFor } from '../../fixtures/network.js'
import type { Host } from '../../../node/host/index.js'
import type { IgdMapping, IgdResponder } from '../../fixtures/igd-responder.js'

/** A private WAN address, as behind a carrier-grade NAT or in the namespace tests. */
const EXTERNAL_IP = '10.99.0.1'

describe('node/host/port-mapping: UPnP IGD port mapping against the test IGD responder (loopback)', function () {
  let igd: IgdResponder | undefined
  let host: Host | undefined
  afterEach(async function () {
    await host?.stop()
    await igd?.close()
    host = undefined
    igd = undefined
  })

  it('the responder answers an SSDP M-SEARCH for an IGD with the description URL', async function () {
    igd = await startIgdResponder({ externalIp: EXTERNAL_IP, ssdpPort: 0 })
    const socket = createSocket('udp4')
    try {
      const answer = new Promise<string>(resolve => socket.once('message', (buf) => { resolve(buf.toString('utf8')) }))
      const search = 'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:2\r\n\r\n'
      socket.send(search, igd.ssdpPort, '127.0.0.1')
      const text = await Promise.race([answer, new Promise<string>((_resolve, reject) => setTimeout(() => { reject(new Error('no SSDP answer')) }, 5000))])
      assert.match(text, /^HTTP\/1\.1 200 OK/)
      assert.ok(text.includes(`LOCATION: ${igd.descriptionUrl}`), text)
      assert.match(text, /ST: urn:schemas-upnp-org:device:InternetGatewayDevice:2/)
    } finally {
      socket.close()
    }
  })

  it('maps the listening port, accepts a private external address, advertises it, and unmaps on stop', async function () {
    const added: IgdMapping[] = []
    const deleted: IgdMapping[] = []
    igd = await startIgdResponder({ externalIp: EXTERNAL_IP, ssdpPort: false, onAddPortMapping: (m) => { added.push(m) }, onDeletePortMapping: (m) => { deleted.push(m) } })
    host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], upnp: { gateways: [igd.descriptionUrl] } })
    const h = host
    const port = Number(h.getMultiaddrs()[0].toString().split('/')[4])
    await waitFor('a port mapping', () => (h.services.portMapping?.mappings.length ?? 0) > 0)
    assert.deepEqual(added.map(m => [m.protocol, m.internalClient, m.internalPort, m.externalPort]), [['TCP', '127.0.0.1', port, port]])
    assert.deepEqual(h.services.portMapping?.mappings, [{ internalHost: '127.0.0.1', internalPort: port, externalHost: EXTERNAL_IP, externalPort: port }])
    await waitFor('the mapped address advertised', () => h.getMultiaddrs().some(a => a.toString().startsWith(`/ip4/${EXTERNAL_IP}/tcp/${port}/p2p/`)))
    assert.equal(selfReachability(h.services), 'upnp')
    assert.ok(igd.actions.includes('GetExternalIPAddress') && igd.actions.includes('AddAnyPortMapping'), igd.actions.join(' '))
    await h.stop()
    host = undefined
    assert.deepEqual(deleted.map(m => m.internalPort), [port], 'the mapping was removed when the host stopped')
    assert.deepEqual(igd.mappings, [])
  })

  it('with reachabilityAfter, asks the router nothing until that settles, then maps', async function () {
    igd = await startIgdResponder({ externalIp: EXTERNAL_IP, ssdpPort: false })
    let release = (): void => {}
    const after = new Promise<void>(resolve => { release = resolve })
    host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], upnp: { gateways: [igd.descriptionUrl] }, reachabilityAfter: after })
    const h = host
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(igd.actions, [], 'no request before the release')
    release()
    await waitFor('a port mapping', () => (h.services.portMapping?.mappings.length ?? 0) > 0)
    assert.equal(selfReachability(h.services), 'upnp')
  })

  it('a router that refuses the mapping leaves nothing advertised', async function () {
    igd = await startIgdResponder({ externalIp: EXTERNAL_IP, ssdpPort: false, onAddPortMapping: () => { throw new Error('port taken') } })
    host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], upnp: { gateways: [igd.descriptionUrl] } })
    const i = igd
    await waitFor('the mapping request', () => i.actions.includes('AddAnyPortMapping'))
    await new Promise(resolve => setTimeout(resolve, 200))
    assert.deepEqual(host.services.portMapping?.mappings, [])
    assert.ok(!host.getMultiaddrs().some(a => a.toString().includes(EXTERNAL_IP)))
    assert.equal(selfReachability(host.services), undefined)
  })
})
