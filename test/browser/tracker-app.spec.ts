/**
 * The tracker's web app in headless Chromium against a real `mediaswarm tracker --http`
 * process over the bundled media: the catalogue renders and search filters it as you type,
 * the test pattern plays, items that cannot play say so, hostile names stay text.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeDir, tempDir, waitFor } from '../fixtures/network.js'
import { MEDIA, launchChromium, screenshot, watchedPage } from './chromium.js'
import { solidPng, taggedMp3 } from './tagged-mp3.js'
import { startWebTracker } from './web-tracker.js'
import type { WebTracker } from './web-tracker.js'
import type { Browser } from 'playwright-core'

/** A file name that would run script if the page put it into HTML unescaped. */
const HOSTILE = '<img src=x onerror="document.body.dataset.owned=1">.srt'
const SUBTITLES = '1\n00:00:00,000 --> 00:00:02,000\nHello\n'

describe('browser: the tracker web app lists, searches and plays the catalogue', function () {
  this.timeout(120_000)
  let root: string | undefined
  let tracker: WebTracker | undefined
  let browser: Browser | undefined

  let large: { root: string, tracker?: WebTracker } | undefined

  after(async function () {
    await browser?.close().catch(() => {})
    await tracker?.process.end('SIGINT')
    await large?.tracker?.process.end('SIGINT')
    await removeDir(root)
    await removeDir(large?.root)
  })

  it('renders the catalogue with covers, filters it as you type, plays a video, explains a subtitle file, and drops a refused token', async function () {
    root = await tempDir('tracker-app')
    const media = join(root, 'media')
    // the four bundled media files (not media/'s README and script: the CLI runs with --all-files)
    for (const file of ['test-pattern.mp4', 'a440-tone.mp3', 'clips/c-major-chord.opus', 'clips/a220-tone.flac']) await cp(join(MEDIA, file), join(media, file), { recursive: true })
    await writeFile(join(media, 'film.srt'), SUBTITLES)
    await writeFile(join(media, HOSTILE), SUBTITLES)
    const cover = solidPng(16, [200, 40, 120])
    await writeFile(join(media, 'covered.mp3'), taggedMp3(await readFile(join(MEDIA, 'a440-tone.mp3')), { title: 'Covered song', artist: 'Cover Artist', album: 'Cover Album', cover }))
    tracker = await startWebTracker(root, media)

    browser = await launchChromium()
    const { page, errors } = await watchedPage(browser)
    await page.goto(`${tracker.url}/`, { timeout: 30_000 })
    const rows = page.locator('#catalogue > li')
    await waitFor('the catalogue to render', async () => await rows.count() === 7, 30_000)
    const text = await page.locator('#catalogue').innerText()
    for (const title of ['Test pattern', 'A440 tone', 'C major chord', 'A220 tone', 'film.srt']) assert.ok(text.includes(title), `${title} is not listed: ${text}`)
    // metadata from the tags: artist, album, duration, resolution
    const video = page.locator('#catalogue > li[data-kind=video]')
    assert.match(await video.innerText(), /Test pattern\s+mediaswarm · mediaswarm samples · 0:10 · 320×240 · video/)
    // cover art from the tags, fetched only for the item that has one
    const covered = page.locator('#catalogue > li', { hasText: 'Covered song' })
    assert.match(await covered.innerText(), /Covered song\s+Cover Artist · Cover Album · 0:08 · audio/)
    const coverImg = covered.locator('img.cover')
    assert.equal(await coverImg.getAttribute('src'), `/api/cover/${await covered.getAttribute('data-cid') ?? ''}`)
    await waitFor('the cover to load', async () => await coverImg.evaluate((i: unknown) => (i as { naturalWidth: number }).naturalWidth) === 16, 10_000)
    assert.equal(await page.locator('#catalogue img.cover').count(), 1)
    // the hostile name is text, not markup
    assert.ok(text.includes(HOSTILE), 'the hostile file name is not shown as text')
    assert.equal(await page.locator('#catalogue img:not(.cover)').count(), 0)
    await screenshot(page, 'tracker-app-catalogue')

    // search filters as you type (no submit); words match title, artist, album or file name
    await page.locator('#search').pressSequentially('tone', { delay: 20 })
    await waitFor('the search to filter', async () => await rows.count() === 2, 5_000)
    assert.match(await page.locator('#catalogue').innerText(), /A220 tone[\s\S]*A440 tone/)
    await page.locator('#search').fill('chord mediaswarm')
    await waitFor('a two-word search', async () => await rows.count() === 1, 5_000)
    assert.match(await page.locator('#cat-status').innerText(), /1 of 7 items match/)
    await page.locator('#search').fill('COVER album')
    await waitFor('a search by album, any case', async () => await rows.count() === 1, 5_000)
    assert.match(await rows.innerText(), /Covered song/)
    await page.locator('#search').fill('no such thing')
    await waitFor('an empty result', async () => await rows.count() === 0, 5_000)
    await page.locator('#search').fill('')
    await waitFor('the whole catalogue again', async () => await rows.count() === 7, 5_000)

    // a subtitle file: a plain message and a download, no player
    await page.locator('#catalogue > li', { hasText: 'film.srt' }).locator('button').click()
    assert.match(await page.locator('#player [role=alert]').innerText(), /film\.srt is a subtitle file \(application\/x-subrip\): there is nothing to play/)
    assert.equal(await page.locator('#player video, #player audio').count(), 0)

    // a song with a cover: the picture above the audio player
    await covered.locator('button').click()
    await page.locator('#player audio').waitFor({ timeout: 10_000 })
    assert.equal(await page.locator('#player img').getAttribute('alt'), 'cover of Covered song')
    await waitFor('the audio to play', async () => await page.locator('#player audio').evaluate((a: unknown) => (a as { currentTime: number }).currentTime) > 0.2, 30_000)

    // the video, keyboard only: focus its row and press Enter
    await video.locator('button').focus()
    await page.keyboard.press('Enter')
    const player = page.locator('#player video')
    await player.waitFor({ timeout: 10_000 })
    const cid = await video.getAttribute('data-cid')
    assert.equal(await player.getAttribute('src'), `/media/${cid ?? ''}`)
    const played = await waitFor('the video to play past 1 s', async () => {
      const state = await player.evaluate((v: unknown) => {
        const m = v as { currentTime: number, videoWidth: number, error: { code: number } | null }
        return { t: m.currentTime, width: m.videoWidth, error: m.error?.code }
      })
      if (state.error != null) throw new Error(`Chromium could not play the test pattern: MediaError ${state.error}`)
      return state.t > 1 ? state : undefined
    }, 30_000)
    assert.equal(played.width, 320)
    await screenshot(page, 'tracker-app-playing')
    assert.equal(await page.locator('body').getAttribute('data-owned'), null)
    assert.deepEqual(errors, [])

    // a wrong operator token: refused once (403), forgotten, and the public view goes live
    const wrong = await watchedPage(browser, (path) => path === '/api/dashboard')
    await wrong.page.goto(`${tracker.url}/?token=not-the-token`, { timeout: 30_000 })
    await waitFor('the public view to go live', async () => await wrong.page.locator('#live').innerText() === 'live', 15_000)
    assert.equal(await wrong.page.locator('#role').innerText(), 'public view: the operator token was refused')
    assert.equal(await wrong.page.locator('#forget').isVisible(), false)
    assert.equal(await wrong.page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length), 0)
    assert.deepEqual(wrong.errors, [])
  })

  it('draws at most 300 rows of a large catalogue, says so, and search still finds the rest', async function () {
    large = { root: await tempDir('tracker-app-large') }
    const media = join(large.root, 'media')
    await mkdir(media, { recursive: true })
    for (let i = 0; i < 320; i++) await writeFile(join(media, `note-${String(i).padStart(3, '0')}.txt`), `note ${i}\n`)
    large.tracker = await startWebTracker(large.root, media)
    browser ??= await launchChromium()
    const { page, errors } = await watchedPage(browser)
    await page.goto(`${large.tracker.url}/`, { timeout: 30_000 })
    await waitFor('the catalogue status', async () => (await page.locator('#cat-status').innerText()).startsWith('320 items'), 30_000)
    assert.equal(await page.locator('#cat-status').innerText(), '320 items; the first 300 are listed, refine the search')
    assert.equal(await page.locator('#catalogue > li').count(), 300)
    // the last file is beyond the drawn rows, and the search finds it
    await page.locator('#search').fill('note-319')
    await waitFor('the search to find the last file', async () => await page.locator('#catalogue > li').count() === 1, 5_000)
    assert.match(await page.locator('#catalogue').innerText(), /note-319\.txt/)
    assert.deepEqual(errors, [])
  })
})
