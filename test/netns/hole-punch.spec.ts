/**
 * Hole punching at the host level, across real namespaces: a relay (the tracker's relay
 * server) on the simulated internet and two peers, each behind its own NAT router. A peer
 * dials the other through the relay; the hole punch must give a direct, unlimited
 * connection through port-preserving NATs (and bytes must flow on it), and must fail, with
 * nothing sent over the relay, behind NATs that map every connection to a new port.
 */
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { jsonLines, useInternet } from '../fixtures/netns.js'
import type { Home, Internet, JsonLines, NatMapping } from '../fixtures/netns.js'
import type { NetnsNodeEvent, NetnsNodeInit } from '../fixtures/netns-node.js'

const NODE_SCRIPT = fileURLToPath(new URL('../fixtures/netns-node.js', import.meta.url))
const BULK_BYTES = 4 * 1024 * 1024

type Event<K extends NetnsNodeEvent['event']> = Extract<NetnsNodeEvent, { event: K }>
const is = <K extends NetnsNodeEvent['event']>(kind: K) => (v: any): v is Event<K> => v?.event === kind

function startNode (net: Internet, ns: string, init: NetnsNodeInit): JsonLines {
  return jsonLines(net.spawn(ns, process.execPath, [NODE_SCRIPT, JSON.stringify(init)]))
}

/** A relay on the internet, A behind home 1 (reserved on the relay, serving bulk bytes), then B behind home 2 dialling A through the relay. */
async function scenario (net: Internet, mapping: NatMapping, punch?: NetnsNodeInit['punch']): Promise<{ a: JsonLines, b: JsonLines, home1: Home, home2: Home }> {
  const home1 = await net.home({ mapping })
  const home2 = await net.home({ mapping })
  const relay = startNode(net, net.ns, { role: 'relay', listen: [`/ip4/${net.address}/tcp/0`] })
  const relayAddr = (await relay.wait(is('ready'), 20_000)).addrs.find(a => a.startsWith(`/ip4/${net.address}/`))
  assert.ok(relayAddr != null)
  const a = startNode(net, home1.host, { role: 'peer', listen: ['/ip4/0.0.0.0/tcp/0'], reserveOn: [relayAddr], serveBytes: BULK_BYTES })
  const aId = (await a.wait(is('ready'), 20_000)).peerId
  await a.wait(is('reserved'), 20_000)
  const b = startNode(net, home2.host, { role: 'peer', listen: ['/ip4/0.0.0.0/tcp/0'], dial: `${relayAddr}/p2p-circuit/p2p/${aId}`, punch })
  return { a, b, home1, home2 }
}

describe('netns: hole punch between two homes behind NAT (host level)', function () {
  this.timeout(90_000)
  const makeInternet = useInternet()



  it('port-preserving NATs: the relayed connection is upgraded to a direct one, and bulk bytes flow on it', async function () {
    const net = await makeInternet()
    const { b, home1, home2 } = await scenario(net, 'port-preserving')
    const relayed = await b.wait(is('relayed'), 20_000)
    assert.equal(relayed.limited, true, 'the first connection goes through the relay, limited')
    const direct = await b.wait((v: any): v is Event<'direct'> | Event<'no-direct'> => v?.event === 'direct' || v?.event === 'no-direct', 30_000)
    assert.equal(direct.event, 'direct', `no direct connection: ${JSON.stringify(b.lines)}`)
    assert.equal(direct.limited, false)
    // the direct connection goes to A's router, on the internet: not through the relay
    assert.match(direct.remoteAddr, new RegExp(`^/ip4/${home1.publicAddress.replaceAll('.', '\\.')}/tcp/\\d+/p2p/`))
    assert.ok(!direct.remoteAddr.includes('p2p-circuit'))
    const fetched = await b.wait(is('fetched'), 30_000)
    assert.equal(fetched.bytes, BULK_BYTES)
    assert.equal(fetched.limited, false)
    assert.equal(fetched.remoteAddr, direct.remoteAddr)
    // B's router let the bytes in straight from A's router
    assert.ok(await net.directBytesInto(home2) >= BULK_BYTES, 'the bulk bytes entered home 2 directly from home 1')
    const punch = await b.wait(is('punch'), 1000)
    assert.equal(punch.result.ok, true)
    process.stderr.write(`[netns] host-level punch: direct connection ${Math.round(direct.ms)} ms after the relayed dial (punch ${Math.round(punch.result.ms)} ms)\n`)
  })

  it('NATs with random port mapping: the punch fails, and the bulk protocol is refused on the relayed connection', async function () {
    const net = await makeInternet()
    const { b, home2 } = await scenario(net, 'random', { attempts: 2, attemptTimeoutMs: 2000 })
    await b.wait(is('relayed'), 20_000)
    const punch = await b.wait(is('punch'), 40_000)
    assert.equal(punch.result.ok, false, 'a NAT that maps each connection to a new port defeats the punch')
    const outcome = await b.wait((v: any): v is Event<'direct'> | Event<'no-direct'> => v?.event === 'direct' || v?.event === 'no-direct', 30_000)
    assert.equal(outcome.event, 'no-direct')
    assert.equal(outcome.relayedBulk, 'LimitedConnectionError')
    assert.ok(await net.directBytesInto(home2) < 64 * 1024, 'nothing but stray SYNs came in directly')
  })
})
