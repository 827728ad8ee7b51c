import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../../node/host/index.js'
import { CONNECTION_MONITOR } from '../../../node/host/create-host.js'
import type { Host } from '../../../node/host/index.js'
import type { Connection } from '@libp2p/interface'

const STARVED_HOST = fileURLToPath(new URL('../../fixtures/starved-host.js', import.meta.url))
/** The watching hosts ping this often (libp2p's default), so the first ping comes soon. */
const PING_INTERVAL_MS = 10_000
/** Longer than libp2p's default ping timeout (adaptive, at least 5 s), well below ours. */
const BLOCK_MS = 7500

/** The starved-host child and its stdout lines as parsed JSON, in order. */
function startStarvedHost (): { child: ChildProcess, next: () => Promise<any> } {
  const child = spawn(process.execPath, [STARVED_HOST], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: any[] = []
  const waiting: Array<(v: any) => void> = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const v = JSON.parse(line)
    const w = waiting.shift()
    if (w != null) w(v)
    else lines.push(v)
  })
  const next = async (): Promise<any> => lines.length > 0
    ? lines.shift()
    : new Promise((resolve, reject) => {
      waiting.push(resolve)
      setTimeout(() => reject(new Error('the starved host said nothing within 30 s')), 30_000).unref()
    })
  return { child, next }
}

describe('node/host: the connection monitor spares CPU-starved peers', function () {
  this.timeout(60_000)
  let child: ChildProcess | undefined
  const hosts: Host[] = []
  let ours: Connection
  let libp2pDefault: Connection
  let oursHost: Host

  // One peer process, watched by two hosts whose monitors ping it at the same moments: one
  // with mediaswarm's ping timeout, one with libp2p's default. The peer's event loop is
  // blocked from just before their first ping until BLOCK_MS later.
  before(async function () {
    const started = startStarvedHost()
    child = started.child
    const { addr } = await started.next()
    oursHost = await createHost({ privateKey: await generateKeyPair('Ed25519'), connectionMonitor: { pingInterval: PING_INTERVAL_MS } })
    const t0 = performance.now()
    const other = await createHost({ privateKey: await generateKeyPair('Ed25519'), connectionMonitor: { pingInterval: PING_INTERVAL_MS, pingTimeout: {} } })
    hosts.push(oursHost, other)
    ours = await oursHost.dial(multiaddr(addr))
    libp2pDefault = await other.dial(multiaddr(addr))
    await sleep(Math.max(0, t0 + PING_INTERVAL_MS - 1000 - performance.now()))
    assert.equal(ours.status, 'open')
    assert.equal(libp2pDefault.status, 'open')
    child.stdin!.write(`block ${BLOCK_MS}\n`)
    assert.deepEqual(await started.next(), { unblocked: true })
    await sleep(1500) // the pending pings are answered now (or have failed)
  })

  after(async function () {
    await Promise.all(hosts.map(async (h) => { await h.stop() }))
    if (child != null) {
      child.stdin!.end()
      if (child.exitCode == null) await new Promise((resolve) => child!.once('exit', resolve))
    }
  })

  it(`keeps a connection whose peer could not answer a ping for ${BLOCK_MS / 1000} s`, async function () {
    assert.equal(ours.status, 'open', 'the connection survived the starvation')
    assert.deepEqual(oursHost.getConnections(ours.remotePeer).map((c) => c.id), [ours.id], 'and it is still the only one')
    assert.ok(await oursHost.services.ping.ping(ours.remotePeer) >= 0, 'and it carries protocols again')
  })

  it('(control) libp2p\'s default ping timeout drops a connection to the same peer at the same time', function () {
    assert.notEqual(libp2pDefault.status, 'open', 'the starvation was long enough to matter')
  })

  it('pings one at a time: the timeout ends a ping before the next one starts', function () {
    // the remote accepts two inbound ping streams; more pending pings are reset, and a reset
    // ping aborts the connection just as a timed-out one does
    const timeout = CONNECTION_MONITOR.pingTimeout?.maxTimeout
    assert.ok(timeout != null && CONNECTION_MONITOR.pingInterval != null)
    assert.ok(timeout < CONNECTION_MONITOR.pingInterval)
    assert.ok(BLOCK_MS < (CONNECTION_MONITOR.pingTimeout?.minTimeout ?? 0), 'the first test starves the peer for less than our timeout')
  })
})
