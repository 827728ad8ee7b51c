import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { TokenBucket, hashFile, startMediaServer } from '../../../node/index.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { httpRequest, openResponse } from '../../fixtures/http-client.js'
import { MiB, startNetwork, waitFor, within } from '../../fixtures/network.js'
import type { MediaServer, Peer } from '../../../node/index.js'
import type { TestNetwork } from '../../fixtures/network.js'

const PIECE = 256 * 1024
/** 6 MiB and a bit: 25 pieces of 256 KiB, the last one short. */
const SIZE = 6 * MiB + 777
const PATH = 'clips/pattern.mp4'

describe('node/http: media server over a real tracker and peer', function () {
  this.timeout(120_000)
  const data = Buffer.from(pseudoRandomBytes(SIZE, 21))
  let net: TestNetwork
  let cid: string
  const servers: MediaServer[] = []

  /** A fresh peer (empty store) with its own media server, so reads race the download. */
  async function freshServer (): Promise<{ peer: Peer, server: MediaServer, url: string }> {
    const peer = await net.addPeer()
    const server = await startMediaServer({ open: async (c, s) => peer.media(c, s), logger: peer.host.logger })
    servers.push(server)
    return { peer, server, url: server.urlOf(cid, 'pattern.mp4') }
  }

  before(async function () {
    net = await startNetwork({
      label: 'media-server',
      peerCount: 0,
      files: [{ path: PATH, data, mime: 'video/mp4' }],
      // slow enough that a fresh peer's reads wait for pieces (~0.4 s for the file)
      tracker: { limiter: new TokenBucket({ rate: 16 * MiB }) }
    })
    cid = (await hashFile(join(net.mediaDir, PATH))).cid.toString()
  })

  after(async function () {
    await Promise.all(servers.map(async s => s.close()))
    await net?.stop()
  })

  describe('one peer', function () {
    let url: string
    before(async function () {
      ({ url } = await freshServer())
    })

    it('answers a GET without Range with 200 and the whole file, with type, ETag and Accept-Ranges', async function () {
      const res = await httpRequest(url)
      assert.equal(res.status, 200)
      assert.equal(res.headers['content-length'], String(SIZE))
      assert.equal(res.headers['content-type'], 'video/mp4')
      assert.equal(res.headers.etag, `"${cid}"`)
      assert.equal(res.headers['accept-ranges'], 'bytes')
      assert.equal(res.headers['content-range'], undefined)
      assert.equal(res.body.length, SIZE)
      assert.ok(res.body.equals(data), 'body differs from the file')
    })

    const ranges: Array<{ what: string, header: string, start: number, end: number }> = [
      { what: 'the first byte', header: 'bytes=0-0', start: 0, end: 1 },
      { what: 'the first 1000 bytes', header: 'bytes=0-999', start: 0, end: 1000 },
      { what: 'the last byte', header: `bytes=${SIZE - 1}-${SIZE - 1}`, start: SIZE - 1, end: SIZE },
      { what: 'an open range from the last byte', header: `bytes=${SIZE - 1}-`, start: SIZE - 1, end: SIZE },
      { what: 'a suffix range', header: 'bytes=-300000', start: SIZE - 300_000, end: SIZE },
      { what: 'a middle range spanning four pieces', header: `bytes=${PIECE - 100}-${4 * PIECE + 99}`, start: PIECE - 100, end: 4 * PIECE + 100 },
      { what: 'a range whose end is past the file', header: `bytes=${SIZE - 10}-${SIZE * 2}`, start: SIZE - 10, end: SIZE }
    ]
    for (const r of ranges) {
      it(`answers ${r.what} with 206 and Content-Range`, async function () {
        const res = await httpRequest(url, { headers: { Range: r.header } })
        assert.equal(res.status, 206)
        assert.equal(res.headers['content-range'], `bytes ${r.start}-${r.end - 1}/${SIZE}`)
        assert.equal(res.headers['content-length'], String(r.end - r.start))
        assert.equal(res.headers['content-type'], 'video/mp4')
        assert.equal(res.headers.etag, `"${cid}"`)
        assert.ok(res.body.equals(data.subarray(r.start, r.end)), `body of ${r.header} differs from the file`)
      })
    }

    it('answers HEAD with the headers and no body, with or without Range', async function () {
      const full = await httpRequest(url, { method: 'HEAD' })
      assert.equal(full.status, 200)
      assert.equal(full.headers['content-length'], String(SIZE))
      assert.equal(full.headers['content-type'], 'video/mp4')
      assert.equal(full.headers.etag, `"${cid}"`)
      assert.equal(full.headers['accept-ranges'], 'bytes')
      assert.equal(full.body.length, 0)
      const part = await httpRequest(url, { method: 'HEAD', headers: { Range: 'bytes=100-199' } })
      assert.equal(part.status, 206)
      assert.equal(part.headers['content-range'], `bytes 100-199/${SIZE}`)
      assert.equal(part.headers['content-length'], '100')
      assert.equal(part.body.length, 0)
    })

    for (const header of [`bytes=${SIZE}-`, `bytes=${SIZE + 1000}-${SIZE + 2000}`, 'bytes=abc', 'bytes=5-3', 'items=0-1', 'bytes=-0']) {
      it(`answers "${header}" with 416 and Content-Range: bytes */size`, async function () {
        const res = await httpRequest(url, { headers: { Range: header } })
        assert.equal(res.status, 416)
        assert.equal(res.headers['content-range'], `bytes */${SIZE}`)
        assert.equal(res.body.length, 0)
      })
    }

    it('answers 304 with no body to a client that already holds the bytes (If-None-Match: the cid)', async function () {
      const same = await httpRequest(url, { headers: { 'If-None-Match': `"${cid}"`, Range: 'bytes=0-99' } })
      assert.equal(same.status, 304)
      assert.equal(same.headers.etag, `"${cid}"`)
      assert.equal(same.body.length, 0)
      const other = await httpRequest(url, { headers: { 'If-None-Match': '"bafkreisomethingelse"' } })
      assert.equal(other.status, 200)
      assert.ok(other.body.equals(data), 'body differs from the file')
    })

    it('answers 404 for a cid that is not in the catalogue and 405 for other methods', async function () {
      const bogus = url.replace(cid, 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
      assert.equal((await httpRequest(bogus)).status, 404)
      assert.equal((await httpRequest(url, { method: 'POST' })).status, 405)
    })
  })

  it('serves several concurrent readers of different ranges while the file is still downloading', async function () {
    const { peer, url } = await freshServer()
    const wanted = [
      [0, SIZE],
      [SIZE - 1, SIZE],
      [SIZE - 2 * PIECE - 5, SIZE],
      [3 * PIECE + 1, 9 * PIECE - 1],
      [Math.floor(SIZE / 2), Math.floor(SIZE / 2) + 1],
      [12 * PIECE, 13 * PIECE],
      [100, 200]
    ]
    const responses = await within('seven concurrent range requests', 60_000, Promise.all(wanted.map(async ([start, end]) =>
      httpRequest(url, { headers: { Range: `bytes=${start}-${end - 1}` } }))))
    for (const [i, [start, end]] of wanted.entries()) {
      const res = responses[i]
      assert.equal(res.status, 206, `range ${start}-${end - 1}`)
      assert.equal(res.headers['content-range'], `bytes ${start}-${end - 1}/${SIZE}`)
      assert.ok(res.body.equals(data.subarray(start, end)), `body of ${start}-${end - 1} differs from the file`)
    }
    const fetch = peer.fetchOf(cid)
    assert.ok(fetch != null, 'the media server started no fetch')
    await within('the download to complete', 60_000, fetch.result)
    assert.equal(fetch.file.complete, true)
  })

  it('keeps working after a client hangs up mid-body', async function () {
    const { server, url } = await freshServer()
    const res = await openResponse(url)
    assert.equal(res.statusCode, 200)
    // read one chunk, then hang up with most of the file still to come
    const first = await within('the first body chunk', 30_000, new Promise<Buffer>((resolve, reject) => {
      res.once('data', resolve)
      res.once('error', reject)
    }))
    res.pause()
    assert.ok(first.length > 0 && first.length < SIZE)
    assert.ok(first.equals(data.subarray(0, first.length)), 'the first chunk differs from the start of the file')
    const closed = new Promise<void>(resolve => { res.socket.once('close', () => { resolve() }) })
    res.destroy()
    await within('the client socket to close', 10_000, closed)
    // the server lets go of the connection...
    await waitFor('the server to close the aborted connection', async () =>
      new Promise<boolean>((resolve, reject) => {
        server.server.getConnections((err, n) => { if (err != null) reject(err); else resolve(n === 0) })
      }), 10_000)
    // ...and still answers, whole file and ranges alike
    const again = await httpRequest(url)
    assert.equal(again.status, 200)
    assert.ok(again.body.equals(data), 'a later full GET differs from the file')
    const part = await httpRequest(url, { headers: { Range: 'bytes=-1000' } })
    assert.equal(part.status, 206)
    assert.ok(part.body.equals(data.subarray(SIZE - 1000)), 'a later range differs from the file')
  })

  it('answers 503 to one address past its media streams, and serves it again when one ends', async function () {
    const opened: AbortSignal[] = []
    // an item whose bytes stop after the first: each response stays open until its client hangs up
    const server = await startMediaServer({
      maxStreamsPerAddress: 2,
      logger: net.tracker.host.logger,
      open: async (c, signal) => {
        opened.push(signal)
        return {
          cid: c,
          name: 'endless.mp4',
          size: SIZE,
          mime: 'video/mp4',
          read: async function * (_start, _end, s) {
            // one byte sends the head; the rest never comes
            yield new Uint8Array(1)
            await new Promise<void>(resolve => { s.addEventListener('abort', () => { resolve() }) })
          }
        }
      }
    })
    servers.push(server)
    const url = server.urlOf(cid, 'endless.mp4')
    const first = await openResponse(url)
    const second = await openResponse(url)
    assert.deepEqual([first.statusCode, second.statusCode], [200, 200])
    const third = await httpRequest(url)
    assert.equal(third.status, 503)
    assert.equal(third.headers['retry-after'], '1')
    assert.equal(opened.length, 2, 'the refused request opened nothing')
    first.destroy()
    const fourth = await waitFor('a free stream after one client hung up', async () => {
      const res = await openResponse(url)
      if (res.statusCode === 200) return res
      res.destroy()
      return undefined
    })
    fourth.destroy()
    second.destroy()
  })
})
