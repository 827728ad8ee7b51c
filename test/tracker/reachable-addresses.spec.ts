import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { MAX_ADDRESSES_PER_PROVIDER, chooseAddresses } from '../../tracker/providers/reachable-addresses.js'
import { classifyReachability, dialBackCandidates } from '../../node/host/index.js'
import type { AddressChoice } from '../../tracker/providers/reachable-addresses.js'

const PROVIDER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const TRACKER = '12D3KooWGRUVh7WxmaQnrXjvJ6cK3okrJbJ2GsHaKMiP8t7bDkUz'
const ma = (s: string): ReturnType<typeof multiaddr> => multiaddr(s)
const strings = (c: Partial<AddressChoice>): string[] => chooseAddresses({ provider: PROVIDER, advertised: [], confirmed: [], ...c }).map(String)

/** A provider at home behind NAT: LAN address, loopback, and its router's public IP observed. */
const HOME = {
  advertised: [ma('/ip4/127.0.0.1/tcp/4005'), ma('/ip4/192.168.1.20/tcp/4005'), ma(`/ip4/127.0.0.1/tcp/4001/p2p/${TRACKER}/p2p-circuit`)],
  providerObserved: ma('/ip4/81.2.69.7/tcp/51000')
}

describe('tracker/providers/reachable-addresses: which provider addresses a requester is given', function () {
  it('never gives a private or loopback address to a requester from another network', function () {
    const got = strings({ ...HOME, requesterObserved: ma('/ip4/93.184.216.9/tcp/40000') })
    assert.deepEqual(got, [])
  })

  it('gives private addresses to a requester behind the same observed IP (same NAT), loopback excluded', function () {
    const got = strings({ ...HOME, requesterObserved: ma('/ip4/81.2.69.7/tcp/52000') })
    assert.deepEqual(got, ['/ip4/192.168.1.20/tcp/4005'])
  })

  it('gives loopback to loopback: both peers on the tracker\'s machine', function () {
    const got = strings({ ...HOME, providerObserved: ma('/ip4/127.0.0.1/tcp/51000'), requesterObserved: ma('/ip4/127.0.0.1/tcp/52000') })
    assert.deepEqual(got, ['/ip4/127.0.0.1/tcp/4005', '/ip4/192.168.1.20/tcp/4005'])
  })

  it('puts a dialled-back address first and passes public advertised addresses to anyone', function () {
    const got = strings({
      ...HOME,
      advertised: [...HOME.advertised, ma('/ip4/81.2.69.7/tcp/4100')],
      confirmed: [ma('/ip4/81.2.69.7/tcp/4005')],
      requesterObserved: ma('/ip4/93.184.216.9/tcp/40000')
    })
    assert.deepEqual(got, ['/ip4/81.2.69.7/tcp/4005', '/ip4/81.2.69.7/tcp/4100'])
  })

  it('names a relay-only provider through tracker addresses the requester can use, not the ones it advertises', function () {
    const relay = { tracker: TRACKER, addresses: [ma(`/ip4/127.0.0.1/tcp/4001/p2p/${TRACKER}`), ma(`/ip4/93.184.216.1/tcp/4001/p2p/${TRACKER}`), ma(`/ip6/::1/tcp/4001/p2p/${TRACKER}`)] }
    const remote = strings({ ...HOME, relay, requesterObserved: ma('/ip4/93.184.216.9/tcp/40000') })
    assert.deepEqual(remote, [`/ip4/93.184.216.1/tcp/4001/p2p/${TRACKER}/p2p-circuit`])
    const local = strings({ ...HOME, providerObserved: ma('/ip4/127.0.0.1/tcp/1'), relay, requesterObserved: ma('/ip4/127.0.0.1/tcp/40000') })
    assert.ok(local.includes(`/ip4/127.0.0.1/tcp/4001/p2p/${TRACKER}/p2p-circuit`), local.join(' '))
    assert.equal(local.filter(a => a.includes('p2p-circuit')).length, 2, 'both IPv4 tracker addresses, not the IPv6 one')
  })

  it('gives private addresses when the tracker sees both peers at their own addresses (one LAN, no NAT between)', function () {
    const lan = { advertised: [ma('/ip4/127.0.0.1/tcp/4005'), ma('/ip4/192.168.1.20/tcp/4005')], providerObserved: ma('/ip4/192.168.1.20/tcp/51000') }
    const requesterObserved = ma('/ip4/192.168.1.30/tcp/52000')
    assert.deepEqual(strings({ ...lan, requesterObserved, providerSeenAtOwnAddress: true, requesterSeenAtOwnAddress: true }), ['/ip4/192.168.1.20/tcp/4005'])
    // a requester behind a NAT (seen at its router's address) is on another network
    assert.deepEqual(strings({ ...lan, requesterObserved, providerSeenAtOwnAddress: true, requesterSeenAtOwnAddress: false }), [])
  })

  it('an unknown requester gets public addresses only', function () {
    assert.deepEqual(strings({ ...HOME, advertised: [...HOME.advertised, ma('/ip4/81.2.69.7/tcp/4005')] }), ['/ip4/81.2.69.7/tcp/4005'])
  })

  it('caps the addresses per provider', function () {
    const advertised = Array.from({ length: 20 }, (_, i) => ma(`/ip4/81.2.69.${i + 1}/tcp/4005`))
    assert.equal(strings({ advertised }).length, MAX_ADDRESSES_PER_PROVIDER)
  })
})

describe('node/host/peer-reachability: dial-back candidates and the reachability name', function () {
  it('dials the observed IP with the advertised ports, never another host the peer names', function () {
    const got = dialBackCandidates(ma('/ip4/81.2.69.7/tcp/51000'), [
      ma('/ip4/192.168.1.20/tcp/4005'),
      ma('/ip4/81.2.69.7/tcp/4100'),
      ma('/ip4/93.184.216.50/tcp/80'),
      ma('/ip6/2001:db8::1/tcp/4005'),
      ma(`/ip4/127.0.0.1/tcp/4001/p2p/${TRACKER}/p2p-circuit`)
    ]).map(String)
    assert.deepEqual(got, ['/ip4/81.2.69.7/tcp/4100', '/ip4/81.2.69.7/tcp/4005', '/ip4/81.2.69.7/tcp/80'])
  })

  it('has no candidate without a TCP listen address', function () {
    assert.deepEqual(dialBackCandidates(ma('/ip4/81.2.69.7/tcp/51000'), [ma(`/ip4/1.2.3.4/tcp/4001/p2p/${TRACKER}/p2p-circuit`)]), [])
  })

  it('names each case', function () {
    const confirmed = [ma('/ip4/81.2.69.7/tcp/4005')]
    assert.equal(classifyReachability({ confirmed, seenAtOwnAddress: false }, true), 'public')
    assert.equal(classifyReachability({ confirmed, reported: 'upnp', seenAtOwnAddress: false }, false), 'upnp')
    assert.equal(classifyReachability({ confirmed: [], reported: 'hole-punched', seenAtOwnAddress: false }, true), 'hole-punched')
    assert.equal(classifyReachability({ confirmed: [], seenAtOwnAddress: false }, true), 'relay-only')
    assert.equal(classifyReachability({ confirmed: [], seenAtOwnAddress: false }, false), 'unknown')
    assert.equal(classifyReachability(undefined, false), 'unknown')
  })
})
