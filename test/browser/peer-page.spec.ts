/**
 * The peer's local page (`mediaswarm peer --http`) in headless Chromium: every item has a
 * working download button, items that cannot play say so instead of failing silently, a
 * hostile file name shows as text, and the page shows what this peer shares.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { TokenBucket } from '../../node/index.js'
import { Tracker } from '../../tracker/index.js'
import { cliEnv, runCli } from '../fixtures/cli-run.js'
import { startCli } from '../fixtures/cli-process.js'
import { httpRequest } from '../fixtures/http-client.js'
import { removeDir, tempDir, waitFor } from '../fixtures/network.js'
import { MEDIA, launchChromium, screenshot, watchedPage } from './chromium.js'
import type { CliProcess } from '../fixtures/cli-process.js'
import type { Browser } from 'playwright-core'

interface SharingLine { event: 'sharing', web: string, peerId: string }
function isSharing (v: any): v is SharingLine {
  return v?.event === 'sharing' && typeof v.web === 'string'
}
interface PageItem { cid: string, name: string, path: string, mime: string, kind: string }

const NOTES = 'Liner notes: not something a browser plays.\n'
/** A file name that would run script if the page put it into HTML unescaped. */
const HOSTILE = '<img src=x onerror="document.body.dataset.owned=1">.txt'

describe('browser: the peer page offers downloads and explains what cannot play', function () {
  this.timeout(120_000)
  let root: string | undefined
  let tracker: Tracker | undefined
  let peer: CliProcess | undefined
  let browser: Browser | undefined

  after(async function () {
    await browser?.close().catch(() => {})
    await peer?.stop()
    await tracker?.stop().catch(() => {})
    await removeDir(root)
  })

  it('downloads a file, shows errors for a text file and an undecodable video, and counts what it shares', async function () {
    root = await tempDir('peer-page')
    const mediaDir = join(root, 'media')
    await cp(join(MEDIA, 'test-pattern.mp4'), join(mediaDir, 'test-pattern.mp4'))
    await writeFile(join(mediaDir, 'notes.txt'), NOTES)
    await writeFile(join(mediaDir, 'broken.mp4'), randomBytes(64 * 1024))
    await writeFile(join(mediaDir, HOSTILE), 'hostile\n')
    const trackerUpload = new TokenBucket({ rate: 48 * 1024 })
    tracker = await Tracker.create({ home: join(root, 'tracker'), mediaDir, listen: ['/ip4/127.0.0.1/tcp/0'], watch: false, include: () => true, limiter: trackerUpload })
    const trackerAddr = tracker.addresses.find(a => multiaddr(a).toString().startsWith('/ip4/127.0.0.1/'))
    assert.ok(trackerAddr != null)
    peer = startCli(['peer', '--tracker', trackerAddr, '--home', join(root, 'peer'), '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--json'])
    const { web, peerId } = await peer.jsonLine(isSharing, 30_000)

    const catalogue = JSON.parse((await httpRequest(`${web}/api/catalogue`)).body.toString('utf8')) as PageItem[]
    const byName = (name: string): PageItem => {
      const item = catalogue.find(i => i.name === name)
      assert.ok(item != null, `${name} is not in the catalogue: ${catalogue.map(i => i.name).join(', ')}`)
      return item
    }
    assert.equal(byName('notes.txt').kind, 'other')
    assert.equal(byName('test-pattern.mp4').kind, 'video')

    browser = await launchChromium()
    const { page, errors } = await watchedPage(browser, (path) => path.includes('broken.mp4'))
    await page.goto(`${web}/`, { timeout: 30_000 })
    await page.locator('#items button').first().waitFor({ timeout: 30_000 })

    // one download link per item, pointing at the range server
    assert.equal(await page.locator('#items a[data-download]').count(), catalogue.length)
    const notes = byName('notes.txt')
    assert.equal(await page.locator(`a[data-download="${notes.cid}"]`).getAttribute('href'), `/media/${notes.cid}/notes.txt`)
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.locator(`a[data-download="${notes.cid}"]`).click()
    ])
    assert.equal(download.suggestedFilename(), 'notes.txt')
    const saved = await download.path()
    assert.equal(await readFile(saved, 'utf8'), NOTES)

    // a text file: a plain error, not a <video> that fails silently
    await page.locator(`button[data-cid="${notes.cid}"]`).click()
    const textError = await page.locator('#player [role=alert]').innerText({ timeout: 10_000 })
    assert.match(textError, /notes\.txt is not audio or video \(text\/plain\): there is nothing to play/)
    assert.equal(await page.locator('#player video').count(), 0)

    // random bytes named .mp4: the browser's decode error is shown in words
    await page.locator(`button[data-cid="${byName('broken.mp4').cid}"]`).click()
    const decodeError = await waitFor('the undecodable video to report an error', async () => {
      const alert = page.locator('#player [role=alert]')
      return await alert.count() > 0 ? alert.innerText() : undefined
    }, 30_000)
    assert.match(decodeError, /^Could not play broken\.mp4: .+\. Download it/)
    await screenshot(page, 'peer-page-error')

    // the hostile name is shown as text, never parsed as HTML
    const hostile = byName(HOSTILE)
    assert.match(await page.locator(`button[data-cid="${hostile.cid}"]`).innerText(), /<img src=x onerror=/)
    assert.equal(await page.locator('#items img').count(), 0)
    assert.equal(await page.locator('body').getAttribute('data-owned'), null)

    // the sharing panel: the upload counters of this peer (it has served nobody yet)
    const sharing = await waitFor('the sharing panel', async () => {
      const text = await page.locator('#sharing').innerText()
      return text.startsWith('upload ') ? text : undefined
    }, 10_000)
    assert.match(sharing, /^upload 0 B\/s · 0 B uploaded · serving 0 downloaders · 0 peers connected/)
    const info = JSON.parse((await httpRequest(`${web}/api/peer`)).body.toString('utf8')) as { peerId: string, trackerConnected: boolean }
    assert.equal(info.trackerConnected, true)

    // and a video still plays
    await page.locator(`button[data-cid="${byName('test-pattern.mp4').cid}"]`).click()
    await page.locator('#player video').waitFor({ timeout: 10_000 })
    await waitFor('the video to advance', async () => {
      const t = await page.locator('#player video').evaluate((v: unknown) => (v as { currentTime: number }).currentTime)
      return t > 0.5
    }, 30_000)
    await waitFor('the download to complete', async () => /^complete: /.test(await page.locator('#status').innerText()), 30_000)
    await screenshot(page, 'peer-page-playing')

    const video = byName('test-pattern.mp4')
    await waitFor('the tracker to list this peer as holding the video', () => tracker?.providers.providers(video.cid).some(p => p.peer === peerId), 20_000)
    // another peer fetches the video while the tracker's upload is busy (its bucket is spent
    // for the next ~10 s; the video is one piece, which the bucket's burst would otherwise send
    // before a CPU-starved machine connects the two peers), so this peer serves it, and the
    // page's sharing panel counts it
    trackerUpload.acquire(10 * 48 * 1024).catch(() => {})
    const other = await runCli(['get', 'test-pattern.mp4', '--tracker', trackerAddr, '--home', join(root, 'other'), '-d', join(root, 'other-out'), '--no-share', '--json'], cliEnv(root))
    assert.equal(other.code, 0, other.stderr)
    const fromPeers = (JSON.parse(other.stdout) as Array<{ bytesFromPeers: number }>)[0].bytesFromPeers
    assert.ok(fromPeers > 0, `the other peer fetched nothing from this one: ${other.stdout}`)
    const served = JSON.parse((await httpRequest(`${web}/api/peer`)).body.toString('utf8')) as { uploadedBytes: number }
    assert.ok(served.uploadedBytes >= fromPeers, `uploaded ${served.uploadedBytes} < ${fromPeers}`)
    await waitFor('the panel to count the upload', async () => /^upload [\d.]+ \S+\/s · [1-9][\d.]* (B|KiB) uploaded/.test(await page.locator('#sharing').innerText()), 10_000)
    await screenshot(page, 'peer-page-shared')
    assert.deepEqual(errors, [])
  })
})
