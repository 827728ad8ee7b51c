/**
 * Library files streamed over the tracker's HTTP share its upload limiter with the swarm and
 * count as its upload: a web client cannot bypass `--upload-rate`.
 */
import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TokenBucket } from '../../../node/index.js'
import { httpRequest } from '../../fixtures/http-client.js'
import { startNetwork } from '../../fixtures/network.js'
import { getJson, webLibrary } from './web-fixtures.js'
import type { UploadLimiter } from '../../../node/index.js'
import type { CatalogueItemView } from '../../../tracker/index.js'
import type { TestNetwork } from '../../fixtures/network.js'

/** The tracker's real token bucket, counting what it was asked for. */
class CountingLimiter implements UploadLimiter {
  readonly bucket = new TokenBucket({ rate: 64 * 1024 * 1024 })
  acquired = 0
  async acquire (bytes: number, signal?: AbortSignal): Promise<void> {
    this.acquired += bytes
    await this.bucket.acquire(bytes, signal)
  }
}

describe('tracker web: media over HTTP and the upload limiter', function () {
  let net: TestNetwork
  const limiter = new CountingLimiter()

  before(async function () {
    net = await startNetwork({ label: 'web-media-upload', peerCount: 0, files: webLibrary(), tracker: { limiter, http: { host: '127.0.0.1', port: 0 } } })
  })

  after(async function () {
    await net?.stop()
  })

  it('takes every streamed byte from the limiter and counts it as the tracker\'s upload', async function () {
    const base = net.tracker.web?.url ?? assert.fail('the tracker serves HTTP')
    const items = (await getJson<{ items: CatalogueItemView[] }>(`${base}/api/catalogue`)).body.items
    const big = items.find(i => i.name === 'big.mp4') ?? assert.fail('big.mp4 is in the catalogue')
    const before = net.tracker.stats.totalServedByTracker
    const whole = await httpRequest(`${base}/media/${big.cid}`)
    assert.equal(whole.status, 200)
    assert.equal(whole.body.length, big.size)
    const part = await httpRequest(`${base}/media/${big.cid}`, { headers: { Range: 'bytes=1000-1999' } })
    assert.equal(part.status, 206)
    assert.equal(limiter.acquired, big.size + 1000)
    assert.equal(net.tracker.stats.totalServedByTracker - before, big.size + 1000)
  })
})
