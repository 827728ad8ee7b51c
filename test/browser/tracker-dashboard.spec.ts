/**
 * The tracker web app's live dashboard in headless Chromium, fed by Server-Sent Events from a
 * real `mediaswarm tracker --http` with one slot and a slow upload: two `get` processes ask
 * for the same file, the page shows the second one waiting and then granted as the slot
 * frees, and the offload plot rises once a third peer fetches from the first two.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cliEnv, spawnCli } from '../fixtures/cli-run.js'
import { MiB, removeDir, tempDir, waitFor } from '../fixtures/network.js'
import { launchChromium, screenshot, watchedPage } from './chromium.js'
import { startWebTracker } from './web-tracker.js'
import type { RunningCli } from '../fixtures/cli-run.js'
import type { WebTracker } from './web-tracker.js'
import type { Browser, Page } from 'playwright-core'

/** The shared file's name: markup, if the page ever put it into HTML unescaped. */
const NAME = '<b>big<i>.bin'

/** A row of the page's queue table, as the page shows it. */
interface QueueRow { position: string, state: string, peer: string }

async function queueRows (page: Page): Promise<QueueRow[]> {
  return page.locator('#queue tbody tr').evaluateAll((rows: unknown[]) => rows.map(r => {
    const d = (r as { dataset: Record<string, string> }).dataset
    return { position: d.position, state: d.state, peer: d.peer }
  }))
}
async function plotLast (page: Page, id: string): Promise<number | undefined> {
  const v = await page.locator(`#${id}`).getAttribute('data-last')
  return v == null || v === '' ? undefined : Number(v)
}

describe('browser: the tracker dashboard shows the queue move and the offload rise, live', function () {
  this.timeout(180_000)
  let root: string | undefined
  let tracker: WebTracker | undefined
  let browser: Browser | undefined
  const peers: RunningCli[] = []

  after(async function () {
    await browser?.close().catch(() => {})
    for (const p of peers) if (p.child.exitCode == null && p.child.signalCode == null) p.child.kill('SIGKILL')
    await Promise.all(peers.map(async p => p.exited.catch(() => {})))
    await tracker?.process.end('SIGINT')
    await removeDir(root)
  })

  it('shows a waiting request granted once the slot frees, and the offload plot change', async function () {
    root = await tempDir('tracker-dashboard')
    const media = join(root, 'media')
    await mkdir(media, { recursive: true })
    await writeFile(join(media, NAME), randomBytes(2 * MiB))
    // one slot and a slow tracker (the third peer then prefers the first two)
    tracker = await startWebTracker(root, media, ['--slots', '1', '--max-upload-rate', '256KiB'])

    browser = await launchChromium()
    const { page, errors } = await watchedPage(browser)
    await page.goto(`${tracker.url}/?token=${encodeURIComponent(tracker.token)}`, { timeout: 30_000 })
    await waitFor('the live badge', async () => await page.locator('#live').innerText() === 'live', 15_000)
    assert.equal(await page.locator('#role').innerText(), 'operator view')
    // the token left the address bar (it stays in this tab's sessionStorage)
    assert.ok(!page.url().includes('token='), page.url())
    // nothing moved yet: the plot starts at 0 (once the tracker has sampled its first second)
    assert.equal(await waitFor('the first history sample', async () => await plotLast(page, 'plot-offload'), 10_000), 0)
    const before = await page.locator('#plot-offload polyline').getAttribute('points')

    const env = cliEnv(root)
    const get = (name: string, seed: boolean, extra: string[] = []): RunningCli => {
      const p = spawnCli(['get', NAME, '--tracker', tracker!.addr, '--home', join(root!, name), '-d', join(root!, `${name}-out`),
        '--listen', '/ip4/127.0.0.1/tcp/0', '--max-upload-rate', '256KiB', '--json', ...(seed ? ['--seed'] : []), ...extra], env)
      peers.push(p)
      return p
    }
    // peers upload slowly too, so a grant lasts seconds: the page, updated at most once a
    // second, cannot miss it
    // the first downloads at 128 KiB/s: it holds the only slot for about 16 s, time enough for
    // the second to start and queue even on a busy machine
    const first = get('first', true, ['--max-download-rate', '128KiB'])
    // the second asks once the page shows the first holding the only slot
    await waitFor('the first request granted on the page', async () => (await queueRows(page)).some(r => r.state === 'granted'), 60_000)
      .catch((err: Error) => { throw new Error(`${err.message}; first: ${first.out.stderr}`) })
    const second = get('second', true)

    // a request waits behind the granted one...
    const seen: string[] = []
    const waiting = await waitFor('a waiting request on the page', async () => {
      const rows = await queueRows(page)
      const shown = JSON.stringify(rows.map(r => [r.state, r.position, r.peer.slice(-6)]))
      if (seen[seen.length - 1] !== shown) seen.push(shown)
      const w = rows.find(r => r.state === 'waiting')
      return w != null && rows.some(r => r.state === 'granted') ? w : undefined
    }, 60_000).catch((err: Error) => { throw new Error(`${err.message}; the page showed ${seen.join(' then ')}; first: ${first.out.stderr}; second: ${second.out.stderr}`) })
    assert.equal(waiting.position, '1')
    assert.match(waiting.peer, /^12D3Koo/)
    assert.match(await page.locator('#summary').innerText(), /1 of 1 slots granted/)
    assert.ok((await page.locator('#queue').innerText()).includes(NAME))
    await screenshot(page, 'tracker-dashboard-queued')
    // ...and is granted when the slot frees
    await waitFor('the waiting request to be granted', async () => {
      const rows = await queueRows(page)
      return rows.some(r => r.peer === waiting.peer && r.state === 'granted')
    }, 60_000)

    // a third peer, once the page lists the first ones as holding the file, fetches from them
    await waitFor('the peers table to list a peer holding the file', async () => (await page.locator('#peers tbody tr', { hasText: '1 file' }).count()) > 0, 60_000)
    const third = get('third', false)
    const done = await third.exited
    assert.equal(done.code, 0, `the third get failed: ${done.stderr}`)
    const got = JSON.parse(done.stdout) as Array<{ bytesFromPeers: number }>
    assert.ok(got[0].bytesFromPeers > 0, `the third peer fetched nothing from the others: ${done.stdout}`)

    // the offload plot (bytes from peers over all bytes) rises and redraws
    const offload = await waitFor('the offload plot to rise', async () => {
      const last = await plotLast(page, 'plot-offload')
      return last != null && last > 0 ? last : undefined
    }, 30_000)
    assert.ok(offload <= 1)
    assert.notEqual(await page.locator('#plot-offload polyline').getAttribute('points'), before)
    // the hostile file name is text in every table
    assert.ok((await page.locator('#files').innerText()).includes(NAME))
    assert.equal(await page.locator('#dashboard b, #dashboard i, #catalogue b, #catalogue i').count(), 0)
    await screenshot(page, 'tracker-dashboard-offload')
    assert.deepEqual(errors, [])

    // the tracker stops: the badge says the page is no longer live
    await tracker.process.end('SIGINT')
    await waitFor('the badge to leave "live"', async () => /^(reconnecting…|disconnected)/.test(await page.locator('#live').innerText()), 15_000)
  })
})
