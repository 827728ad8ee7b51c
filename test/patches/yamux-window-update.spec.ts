/**
 * patches/@chainsafe+libp2p-yamux+*.patch: a yamux receiver sends a window update only once
 * at least half of its receive window is used (as go-yamux and hashicorp/yamux do), not one
 * per data frame. This fails if the patch stops applying (an upgrade, or `npm ci` without
 * the postinstall step).
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { defaultLogger } from '@libp2p/logger'
import { Uint8ArrayList } from 'uint8arraylist'

const DATA = 0
const WINDOW_UPDATE = 1
const KiB = 1024
const WINDOW = 256 * KiB

/** A stream in the Established state with a fixed 256 KiB window that records what it sends. */
function streamWithSpy (): { stream: YamuxStream, updates: number[] } {
  const updates: number[] = []
  const stream = new YamuxStream({
    id: '1',
    streamId: 1,
    direction: 'inbound',
    state: StreamState.Established,
    log: defaultLogger().forComponent('test:yamux-patch'),
    initialStreamWindowSize: WINDOW,
    maxStreamWindowSize: WINDOW,
    getRTT: () => -1, // no RTT yet: the window does not grow
    sendFrame: (header) => {
      if (header.type === WINDOW_UPDATE) updates.push(header.length)
      return true
    }
  })
  return { stream, updates }
}

function receive (stream: YamuxStream, frames: number, size: number): void {
  for (let i = 0; i < frames; i++) {
    stream.handleData({ header: { type: DATA, flag: 0, streamID: 1, length: size }, data: new Uint8ArrayList(new Uint8Array(size)) } as any)
  }
}

describe('patch: yamux window updates at half window', function () {
  it('the installed yamux carries the patch', async function () {
    const file = fileURLToPath(import.meta.resolve('@chainsafe/libp2p-yamux/stream'))
    assert.match(await readFile(file, 'utf8'), /mediaswarm patch: .*only send an update once/s)
  })

  it('sends one update per half window instead of one per frame', function () {
    const { stream, updates } = streamWithSpy()
    receive(stream, 7, 16 * KiB)
    assert.deepEqual(updates, [], 'less than half of the window used: no update yet')
    receive(stream, 1, 16 * KiB)
    assert.deepEqual(updates, [128 * KiB], 'half used: one update returns all of it')
    receive(stream, 8, 16 * KiB)
    assert.deepEqual(updates, [128 * KiB, 128 * KiB])
    assert.equal(stream.readBufferLength, 16 * 16 * KiB, 'every byte was delivered')
  })

  it('never lets the sender run dry: a full window always gets its update', function () {
    const { stream, updates } = streamWithSpy()
    receive(stream, 1, WINDOW)
    assert.deepEqual(updates, [WINDOW])
  })

  it('a paused stream sends nothing, and resuming returns the used window', function () {
    const { stream, updates } = streamWithSpy()
    stream.pause()
    receive(stream, 12, 16 * KiB)
    assert.deepEqual(updates, [])
    stream.resume()
    assert.deepEqual(updates, [192 * KiB])
  })
})
