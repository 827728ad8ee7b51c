/**
 * End to end: a real tracker over the bundled media/, the real `mediaswarm peer` CLI with
 * its web player, and headless Chromium playing the H.264 test pattern through it.
 * Needs Debian's chromium at /usr/bin/chromium (CI installs it); fails without it.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { Tracker } from '../../tracker/index.js'
import { startCli } from '../fixtures/cli-process.js'
import { httpRequest } from '../fixtures/http-client.js'
import { removeDir, tempDir, waitFor } from '../fixtures/network.js'
import { MEDIA, launchChromium } from './chromium.js'
import type { CliProcess } from '../fixtures/cli-process.js'
import type { Browser, Page } from 'playwright-core'

interface SharingLine { event: 'sharing', web: string }
function isSharing (v: any): v is SharingLine {
  return v?.event === 'sharing' && typeof v.web === 'string'
}

/** The few DOM shapes read inside page.evaluate (the project compiles without lib.dom). */
interface MediaElement {
  currentTime: number
  readyState: number
  paused: boolean
  videoWidth: number
  videoHeight: number
  getVideoPlaybackQuality: () => { totalVideoFrames: number }
  error: { code: number, message: string } | null
  getAttribute: (name: string) => string | null
}
interface ProgressElement { hidden: boolean, value: number }
declare const document: { querySelector: ((selector: 'video') => MediaElement | null) & ((selector: 'progress') => ProgressElement | null) }

interface CatalogueEntry { cid: string, name: string, path: string, mime: string }

/** What the page's <video> is doing. */
interface VideoState {
  currentTime: number
  readyState: number
  error: { code: number, message: string } | null
  paused: boolean
  width: number
  height: number
  /** Frames decoded so far: proves the H.264 track plays, not only the audio. */
  frames: number
}

async function videoState (page: Page): Promise<VideoState | undefined> {
  return page.evaluate(() => {
    const v = document.querySelector('video')
    if (v == null) return undefined
    return {
      currentTime: v.currentTime,
      readyState: v.readyState,
      error: v.error == null ? null : { code: v.error.code, message: v.error.message },
      paused: v.paused,
      width: v.videoWidth,
      height: v.videoHeight,
      frames: v.getVideoPlaybackQuality().totalVideoFrames
    }
  })
}

describe('browser: the web player of `mediaswarm peer` plays in Chromium', function () {
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

  it('plays test-pattern.mp4 while showing download progress', async function () {
    root = await tempDir('web-player')
    const mediaDir = join(root, 'media')
    await cp(MEDIA, mediaDir, { recursive: true })
    tracker = await Tracker.create({ home: join(root, 'tracker'), mediaDir, listen: ['/ip4/127.0.0.1/tcp/0'], watch: false })
    const trackerAddr = tracker.addresses.find(a => multiaddr(a).toString().startsWith('/ip4/127.0.0.1/'))
    assert.ok(trackerAddr != null, `the tracker listens on no 127.0.0.1 address: ${tracker.addresses.join(', ')}`)

    peer = startCli(['peer', '--tracker', trackerAddr, '--home', join(root, 'peer'), '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '0', '--json'])
    const { web } = await peer.jsonLine(isSharing, 30_000)
    assert.match(web, /^http:\/\/127\.0\.0\.1:\d+$/)

    // the item to click, found through the same API the page uses
    const catalogue = await httpRequest(`${web}/api/catalogue`)
    assert.equal(catalogue.status, 200)
    const item = (JSON.parse(catalogue.body.toString('utf8')) as CatalogueEntry[]).find(i => i.path === 'test-pattern.mp4')
    assert.ok(item != null, 'test-pattern.mp4 is not in the catalogue')
    assert.equal(item.mime, 'video/mp4')

    browser = await launchChromium()
    const page = await browser.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (err) => { pageErrors.push(err.message) })
    page.on('console', (msg) => { if (msg.type() === 'error' && !/status of 404/.test(msg.text())) pageErrors.push(msg.text()) })
    // the page asks for nothing that is not there (a browser's own favicon.ico aside)
    page.on('response', (res) => { if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') pageErrors.push(`${res.status()} ${res.url()}`) })
    await page.goto(`${web}/`, { timeout: 30_000 })
    const button = page.locator(`button[data-cid="${item.cid}"]`)
    await button.waitFor({ timeout: 30_000 })
    assert.match(await button.innerText(), /Test pattern/)
    await button.click({ timeout: 30_000 })

    // playback advances past 1 s (the file is 10 s); a decode error fails at once
    const played = await waitFor('the video to play past 1 s', async () => {
      const state = await videoState(page)
      if (state?.error != null) {
        throw new Error(`Chromium could not play test-pattern.mp4 (H.264/AAC): MediaError ${state.error.code} "${state.error.message}"`)
      }
      return state != null && state.currentTime > 1 ? state : undefined
    }, 30_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; video: ${JSON.stringify(await videoState(page))}; page errors: ${pageErrors.join(' | ')}; peer stderr: ${peer?.stderrTail() ?? ''}`)
    })
    assert.equal(played.error, null)
    assert.deepEqual([played.width, played.height], [320, 240])
    assert.ok(played.frames > 10, `only ${played.frames} video frames decoded after ${played.currentTime} s`)
    assert.equal(await page.evaluate(() => document.querySelector('video')?.getAttribute('src')), `/media/${item.cid}/test-pattern.mp4`)

    // the status line reports the download (the file is small: usually already complete)
    const status = await waitFor('the status to report download progress', async () => {
      const text = await page.locator('#status').innerText()
      return /downloading [\d.]+ \S+ of [\d.]+ \S+|complete: [\d.]+ \S+/.test(text) ? text : undefined
    }, 10_000)
    assert.match(status, /KiB/)
    const progress = await page.evaluate(() => {
      const bar = document.querySelector('progress')
      return bar == null ? undefined : { hidden: bar.hidden, value: bar.value }
    })
    assert.ok(progress != null && !progress.hidden && progress.value > 0, `progress bar: ${JSON.stringify(progress)}`)
    assert.deepEqual(pageErrors, [])
  })
})
