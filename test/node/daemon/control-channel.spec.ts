import assert from 'node:assert/strict'
import { stat } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { ControlClient, ControlServer, controlSocketOf } from '../../../node/daemon/index.js'
import { removeDir, tempDir } from '../../fixtures/network.js'
import type { Peer } from '../../../node/index.js'

/** Sends raw bytes on the socket and returns everything the server answered before closing. */
async function raw (path: string, data: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ path })
    let text = ''
    socket.setEncoding('utf8').on('data', (d: string) => { text += d })
    socket.on('error', () => {})
    socket.on('close', () => { resolve(text) })
    socket.write(data)
  })
}

describe('node/daemon: the control channel', function () {
  let root: string
  let server: ControlServer
  let listCalls = 0

  before(async function () {
    root = await tempDir('control')
    // the requests under test only touch these members of a Peer
    const peer = {
      peerId: { toString: () => '12D3KooWTestOwner' },
      sharing: true,
      list: async (query?: string) => {
        listCalls++
        if (query === 'fail') {
          const cause = Object.assign(new Error('Unexpected Peer'), { name: 'EncryptionFailedError' })
          throw Object.assign(new Error('The tracker at /ip4/1.2.3.4/tcp/1 could not be reached', { cause }), { name: 'TrackerUnreachableError' })
        }
        return [{ cid: Buffer.from([1, 2, 3]), path: 'a.mp4', size: 3, mime: 'video/mp4', codecs: [] }]
      }
    } as unknown as Peer
    server = new ControlServer({ socketPath: controlSocketOf(root), peer: Promise.resolve(peer), role: 'peer', tracker: Promise.resolve(['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWTracker']), logger: defaultLogger() })
    await server.start()
  })

  after(async function () {
    await server.stop()
    await removeDir(root)
  })

  it('answers hello and list; bytes (Buffer or Uint8Array) cross intact; the socket is the owner\'s alone', async function () {
    const client = await ControlClient.connect(root)
    assert.equal(client.hello.peerId, '12D3KooWTestOwner')
    assert.equal(client.hello.pid, process.pid)
    assert.deepEqual(client.hello.tracker, ['/ip4/127.0.0.1/tcp/1/p2p/12D3KooWTracker'])
    const items = await client.list()
    assert.ok(items[0].cid instanceof Uint8Array)
    assert.deepEqual([...items[0].cid], [1, 2, 3])
    assert.equal((await stat(join(root, 'control.sock'))).mode & 0o777, 0o600)
  })

  it('an error crosses with its name and cause chain', async function () {
    const client = await ControlClient.connect(root)
    await assert.rejects(client.list('fail'), (err: Error & { cause?: Error }) => {
      assert.equal(err.name, 'TrackerUnreachableError')
      assert.equal(err.cause?.name, 'EncryptionFailedError')
      assert.equal(err.cause?.message, 'Unexpected Peer')
      return true
    })
  })

  it('malformed, unknown and oversized requests get an error or a closed socket, and the server keeps serving', async function () {
    assert.match(await raw(controlSocketOf(root), 'this is not json\n'), /"error"/)
    assert.match(await raw(controlSocketOf(root), '{"op":"format-disk"}\n'), /Unknown control request/)
    assert.match(await raw(controlSocketOf(root), '{"op":"get","cid":"not-a-cid"}\n'), /"error"/)
    assert.equal(await raw(controlSocketOf(root), Buffer.alloc(200 * 1024, 0x61)), '', 'a request line without end is cut off')
    const before = listCalls
    const client = await ControlClient.connect(root)
    assert.equal((await client.list()).length, 1)
    assert.equal(listCalls, before + 1)
    await server.idle()
    assert.equal(server.clients, 0)
  })

  it('settled() waits out a client between two requests once another command said hello', async function () {
    await server.idle()
    const first = await Promise.race([
      server.settled(300, Number.MAX_SAFE_INTEGER).then(() => 'settled'),
      new Promise(resolve => { setImmediate(() => { resolve('later') }) })
    ])
    assert.equal(first, 'settled', 'without another hello it resolves at the first idle moment')

    const client = await ControlClient.connect(root)
    const events: string[] = []
    // every hello so far counts as another command's (the owner's own: none)
    const waiting = server.settled(300, 0).then(() => { events.push('settled') })
    // the other command's next request, 150 ms after its hello (no connection in between)
    await new Promise(resolve => setTimeout(resolve, 150))
    events.push('asking')
    assert.equal((await client.list()).length, 1)
    events.push('answered')
    await waiting
    assert.deepEqual(events, ['asking', 'answered', 'settled'])
  })

  it('no socket, no owner: connecting fails at once', async function () {
    await assert.rejects(ControlClient.connect(join(root, 'nobody-home')))
  })
})
