/**
 * patches/@libp2p+tls+*.patch, read batching: Node's TLS socket emits one 'data' event per
 * TLS record (at most 16 KiB); the TLS connection hands the records of one event-loop turn
 * to its reader (the muxer) as one message, and hands anything pending on before the
 * socket's 'error' or 'close' is acted on. Fails if the patch stops applying: unpatched,
 * every record is its own message.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import { logger } from '@libp2p/logger'
import { toMessageStream } from '@libp2p/tls/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import type { MultiaddrConnection } from '@libp2p/interface'
import type { TLSSocket } from 'node:tls'

/** Just enough of a TLS socket: an emitter the connection listens to. */
class FakeSocket extends EventEmitter {
  closed = false
  destroy (): void {}
  destroySoon (): void { this.destroy() }
  pause (): void {}
  resume (): void {}
  write (): boolean { return true }
}

/** Just enough of the transport under it: an event target that can be closed. */
function fakeTransport (): MultiaddrConnection {
  const target = new EventTarget() as any
  target.log = logger('test:tls-batch-reads')
  target.close = async () => {}
  target.abort = () => {}
  return target
}

function messages (conn: EventTarget): Uint8Array[] {
  const received: Uint8Array[] = []
  conn.addEventListener('message', (evt: any) => { received.push(evt.data instanceof Uint8ArrayList ? evt.data.subarray() : evt.data) })
  return received
}

const nextTurn = async (): Promise<void> => { await new Promise<void>((resolve) => setImmediate(resolve)) }

describe('patch: @libp2p/tls hands on the TLS records of one loop turn as one message', function () {
  it('gathers the records that arrive in one turn into one message, bytes in order', async function () {
    const socket = new FakeSocket()
    const conn = toMessageStream(fakeTransport(), socket as unknown as TLSSocket)
    const received = messages(conn)
    const records = Array.from({ length: 5 }, () => randomBytes(16 * 1024))
    for (const r of records) socket.emit('data', r)
    assert.equal(received.length, 0, 'nothing is handed on inside the turn the records came in')
    await nextTurn()
    assert.equal(received.length, 1)
    assert.deepEqual(Buffer.from(received[0]), Buffer.concat(records))

    // a later turn is a later message
    const more = randomBytes(100)
    socket.emit('data', more)
    await nextTurn()
    assert.equal(received.length, 2)
    assert.deepEqual(Buffer.from(received[1]), more)
  })

  it('hands pending records on before acting on the socket closing', async function () {
    const socket = new FakeSocket()
    const conn = toMessageStream(fakeTransport(), socket as unknown as TLSSocket)
    const order: string[] = []
    conn.addEventListener('message', (evt: any) => { order.push(`message ${evt.data.byteLength}`) })
    socket.emit('data', randomBytes(10))
    socket.emit('data', randomBytes(20))
    socket.emit('close')
    order.push('closed')
    await nextTurn()
    assert.deepEqual(order, ['message 30', 'closed'])
  })

  it('hands pending records on before acting on a socket error', async function () {
    const socket = new FakeSocket()
    const transport = fakeTransport()
    const order: string[] = []
    ;(transport as any).abort = () => { order.push('aborted') }
    const conn = toMessageStream(transport, socket as unknown as TLSSocket)
    conn.addEventListener('message', (evt: any) => { order.push(`message ${evt.data.byteLength}`) })
    socket.emit('data', randomBytes(7))
    socket.emit('error', new Error('boom'))
    await nextTurn()
    assert.deepEqual(order, ['message 7', 'aborted'])
  })
})
