/**
 * patches/@libp2p+tls+*.patch, secure-context part: the node's TLS secure context is made with
 * an empty list of certificate authorities, so Node does not load its ~140 root certificates
 * into it (~20 ms at every process start; libp2p verifies the remote certificate itself). Seen
 * in a child process through `tls.createSecureContext`, wrapped before @libp2p/tls is loaded.
 * This fails if the patch stops applying.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'

const HOST = new URL('../../node/host/index.js', import.meta.url).href
const POLYFILL = new URL('../../node/polyfill.js', import.meta.url).href

/** In a child: two hosts, one TLS connection; the `ca` options of every secure context made. */
function caOptions (env: NodeJS.ProcessEnv): unknown[] {
  const script = `
    import tls from 'node:tls'
    import { syncBuiltinESMExports } from 'node:module'
    const seen = []
    const original = tls.createSecureContext
    tls.createSecureContext = (options) => { seen.push(options?.ca ?? null); return original(options) }
    syncBuiltinESMExports()
    await import(${JSON.stringify(POLYFILL)})
    const { createHost } = await import(${JSON.stringify(HOST)})
    const { generateKeyPair } = await import('@libp2p/crypto/keys')
    const listener = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
    const dialer = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: [] })
    const connection = await dialer.dial(listener.getMultiaddrs()[0])
    if (connection.encryption !== '/tls/1.0.0') throw new Error('not TLS: ' + connection.encryption)
    await dialer.stop(); await listener.stop()
    process.stdout.write(JSON.stringify(seen))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', cwd: new URL('../../..', import.meta.url).pathname })) as unknown[]
}

describe('patch: @libp2p/tls loads no root certificates', function () {
  this.timeout(30_000)

  it('makes each node\'s secure context with an empty CA list', function () {
    const seen = caOptions({ ...process.env, LIBP2P_TLS_DISABLE: '' })
    assert.ok(seen.length >= 2, `a secure context per node (${seen.length})`)
    for (const ca of seen) assert.deepEqual(ca, [])
  })

  it('LIBP2P_TLS_DISABLE=empty-ca leaves Node\'s default (its root certificates)', function () {
    const seen = caOptions({ ...process.env, LIBP2P_TLS_DISABLE: 'empty-ca' })
    assert.ok(seen.length >= 2)
    for (const ca of seen) assert.equal(ca, null)
  })
})
