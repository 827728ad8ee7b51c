/**
 * The tracker's web API against a real tracker on 127.0.0.1 with real HTTP: JSON shapes,
 * covers, media with Range, the operator's token, and hostile requests.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { HTTP_TOKEN_FILE, HTTP_URL_FILE } from '../../../tracker/index.js'
import { httpRequest } from '../../fixtures/http-client.js'
import { startNetwork } from '../../fixtures/network.js'
import { COVER_PNG, getJson, rawStatus, webLibrary } from './web-fixtures.js'
import type { CatalogueItemView, Dashboard } from '../../../tracker/index.js'
import type { TestNetwork } from '../../fixtures/network.js'

describe('tracker web API', function () {
  let net: TestNetwork
  let base: string
  let token: string
  let items: CatalogueItemView[]
  const item = (name: string): CatalogueItemView => {
    const found = items.find(i => i.name === name)
    assert.ok(found, `${name} is in the catalogue`)
    return found
  }

  before(async function () {
    net = await startNetwork({ label: 'web-api', peerCount: 0, files: webLibrary(), tracker: { http: { host: '127.0.0.1', port: 0 } } })
    base = net.tracker.web?.url ?? assert.fail('the tracker serves HTTP')
    token = (await readFile(join(net.root, 'tracker', HTTP_TOKEN_FILE), 'utf8')).trim()
    items = (await getJson<{ items: CatalogueItemView[] }>(`${base}/api/catalogue`)).body.items
  })

  after(async function () {
    await net?.stop()
  })

  it('writes http.url, and the token file with mode 0600 holding 32 random bytes in hex', async function () {
    const home = join(net.root, 'tracker')
    assert.equal((await readFile(join(home, HTTP_URL_FILE), 'utf8')).trim(), base)
    assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(token, /^[0-9a-f]{64}$/)
    assert.equal((await stat(join(home, HTTP_TOKEN_FILE))).mode & 0o777, 0o600)
    assert.equal(net.tracker.web?.token, token)
  })

  it('serves the app: page, script and style, with a strict content security policy', async function () {
    const page = await httpRequest(`${base}/`)
    assert.equal(page.status, 200)
    assert.match(String(page.headers['content-type']), /^text\/html/)
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
    assert.equal(page.headers['referrer-policy'], 'no-referrer')
    assert.match(String((await httpRequest(`${base}/app.js`)).headers['content-type']), /^text\/javascript/)
    assert.match(String((await httpRequest(`${base}/app.css`)).headers['content-type']), /^text\/css/)
  })

  it('lists the catalogue with kinds, tags and cover presence, and no paths on disk', async function () {
    assert.equal(items.length, net.files.length)
    const covered = item('covered.mp3')
    assert.equal(covered.kind, 'audio')
    assert.equal(covered.mime, 'audio/mpeg')
    assert.equal(covered.title, 'Covered song')
    assert.equal(covered.cover, true)
    assert.equal(item('big.mp4').kind, 'video')
    assert.equal(item('big.mp4').cover, false)
    assert.equal(item('film.srt').kind, 'subtitle')
    assert.equal(item('notes.txt').kind, 'other')
    for (const i of items) {
      assert.match(i.cid, /^bafk/)
      assert.equal(typeof i.size, 'number')
      assert.equal(typeof i.cover, 'boolean')
      assert.ok(!JSON.stringify(i).includes(net.root), 'no absolute path leaks')
    }
    const filtered = await getJson<{ items: CatalogueItemView[] }>(`${base}/api/catalogue?q=covered`)
    assert.deepEqual(filtered.body.items.map(i => i.name), ['covered.mp3'])
  })

  it('serves a cover from the tags, and 404 for a file without one or an unknown cid', async function () {
    const res = await httpRequest(`${base}/api/cover/${item('covered.mp3').cid}`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'image/png')
    assert.deepEqual(res.body, COVER_PNG)
    const again = await httpRequest(`${base}/api/cover/${item('covered.mp3').cid}`, { headers: { 'If-None-Match': res.headers.etag ?? assert.fail('no ETag') } })
    assert.equal(again.status, 304)
    assert.equal(again.body.length, 0)
    assert.equal((await httpRequest(`${base}/api/cover/${item('big.mp4').cid}`)).status, 404)
    assert.equal((await httpRequest(`${base}/api/cover/bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)).status, 404)
  })

  it('streams a library file whole (200) and by range (206), identical to the file', async function () {
    const big = net.files.find(f => f.path === 'big.mp4')?.data ?? assert.fail()
    const cid = item('big.mp4').cid
    const whole = await httpRequest(`${base}/media/${cid}`)
    assert.equal(whole.status, 200)
    assert.equal(whole.headers['accept-ranges'], 'bytes')
    assert.equal(whole.headers['content-type'], 'video/mp4')
    assert.equal(whole.headers['content-security-policy'], 'sandbox')
    assert.ok(whole.body.equals(Buffer.from(big)))
    const part = await httpRequest(`${base}/media/${cid}/big.mp4`, { headers: { Range: 'bytes=1000000-1999999' } })
    assert.equal(part.status, 206)
    assert.equal(part.headers['content-range'], `bytes 1000000-1999999/${big.length}`)
    assert.ok(part.body.equals(Buffer.from(big.subarray(1_000_000, 2_000_000))))
    const tail = await httpRequest(`${base}/media/${cid}`, { headers: { Range: 'bytes=-5' } })
    assert.equal(tail.status, 206)
    assert.ok(tail.body.equals(Buffer.from(big.subarray(big.length - 5))))
    const head = await httpRequest(`${base}/media/${cid}`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers['content-length'], String(big.length))
  })

  it('answers 416 to unsatisfiable and malformed ranges', async function () {
    const cid = item('big.mp4').cid
    for (const range of ['bytes=99999999-', 'bytes=abc', 'bytes=5-2', 'lines=0-1', 'bytes=-0', 'bytes=0-1,x']) {
      const res = await httpRequest(`${base}/media/${cid}`, { headers: { Range: range } })
      assert.equal(res.status, 416, range)
      assert.equal(res.headers['content-range'], `bytes */${item('big.mp4').size}`)
    }
  })

  it('gives the public view without a token: counts, no PeerIds, no peer list', async function () {
    const { status, body } = await getJson<Dashboard>(`${base}/api/dashboard`)
    assert.equal(status, 200)
    assert.equal(body.operator, false)
    assert.equal(typeof body.at, 'number')
    assert.deepEqual(Object.keys(body.queue).sort(), ['entries', 'granted', 'length', 'slots'])
    assert.deepEqual(Object.keys(body.peers.byReachability).sort(), ['holePunched', 'public', 'relayOnly', 'unknown', 'upnp'])
    assert.equal(body.peers.list, undefined)
    assert.ok(Array.isArray(body.files))
    assert.equal(typeof body.uploadRate, 'number')
    assert.ok(body.history.length >= 1, 'the history has a sample from the start')
    const last = body.history[body.history.length - 1]
    assert.deepEqual(Object.keys(last).sort(), ['offload', 'queueLength', 't', 'uploadRate'])
  })

  it('gives the operator view with the token (header or query), and 403 with a wrong one', async function () {
    const bearer = await getJson<Dashboard>(`${base}/api/dashboard`, { Authorization: `Bearer ${token}` })
    assert.equal(bearer.status, 200)
    assert.equal(bearer.body.operator, true)
    assert.ok(Array.isArray(bearer.body.peers.list))
    const query = await getJson<Dashboard>(`${base}/api/dashboard?token=${token}`)
    assert.equal(query.body.operator, true)
    for (const wrong of [token.slice(0, 63) + (token.endsWith('0') ? '1' : '0'), 'x', token + '0']) {
      assert.equal((await httpRequest(`${base}/api/dashboard?token=${wrong}`)).status, 403)
      assert.equal((await httpRequest(`${base}/api/events`, { headers: { Authorization: `Bearer ${wrong}` } })).status, 403)
    }
  })

  it('answers hostile requests with a clean 4xx and keeps serving', async function () {
    const { hostname, port } = new URL(base)
    const p = Number(port)
    // path traversal, encoded or not, never reaches the file system
    for (const path of ['/media/../../etc/passwd', '/media/..%2f..%2fetc%2fpasswd', '/api/cover/..%2f..%2fidentity.key', '/identity.key', '/http-token', '/media/%00', '/api/cover/', '/media/not-a-cid']) {
      const status = await rawStatus(hostname, p, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
      assert.ok(status === 404 || status === 400, `${path}: ${status}`)
    }
    // an unknown cid
    assert.equal((await httpRequest(`${base}/media/bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`)).status, 404)
    // huge headers
    assert.equal(await rawStatus(hostname, p, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`), 431)
    // an absolute-form target that is no URL, and a bad method
    assert.equal(await rawStatus(hostname, p, 'GET http://[/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400)
    assert.equal((await httpRequest(`${base}/api/dashboard`, { method: 'POST' })).status, 405)
    assert.equal((await httpRequest(`${base}/media/${item('big.mp4').cid}`, { method: 'DELETE' })).status, 405)
    // garbage instead of HTTP
    assert.equal(await rawStatus(hostname, p, Buffer.from([0, 1, 2, 3, 13, 10, 13, 10])), 400)
    // still serving
    assert.equal((await httpRequest(`${base}/api/catalogue`)).status, 200)
  })
})
