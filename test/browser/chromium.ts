/**
 * Headless Debian Chromium for the browser tests: launch flags, where screenshots go, and a
 * page that records its own errors so a test can assert there were none.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'

/** Debian's chromium (CI installs it with apt-get). */
export const CHROMIUM = '/usr/bin/chromium'
/** Flags for a headless, quiet, container-friendly Chromium that autoplays media. */
export const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required'
]
/** The git-ignored folder of screenshots (this file is dist/test/browser/chromium.js once built). */
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts', import.meta.url))
/** The bundled library. */
export const MEDIA = fileURLToPath(new URL('../../../media', import.meta.url))

/** Launches Chromium; fails with a plain sentence when it is not installed. */
export async function launchChromium (): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: this test needs it (apt-get install -y chromium; .ci/run installs it)`)
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/** A page and the errors it logs: uncaught exceptions, console errors, HTTP errors. */
export interface WatchedPage {
  page: Page
  errors: string[]
}

/**
 * Opens a page that collects its errors; `allow` lists URL paths whose 4xx/5xx answers are
 * expected (a favicon, a cover that does not exist).
 */
export async function watchedPage (browser: Browser, allow: (path: string) => boolean = () => false): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })
  const errors: string[] = []
  page.on('pageerror', (err) => { errors.push(err.message) })
  page.on('console', (msg) => { if (msg.type() === 'error' && !/status of 404|Failed to load resource/.test(msg.text())) errors.push(msg.text()) })
  page.on('response', (res) => {
    const path = new URL(res.url()).pathname
    if (res.status() >= 400 && path !== '/favicon.ico' && !allow(path)) errors.push(`${res.status()} ${res.url()}`)
  })
  return { page, errors }
}

/** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot (page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
