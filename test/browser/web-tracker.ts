/**
 * A real `mediaswarm tracker --http 127.0.0.1:0` process for the web app's browser tests:
 * its web URL (from <home>/http.url) and operator token (from <home>/http-token).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cliEnv, startTrackerProcess } from '../fixtures/tracker-process.js'
import { waitFor } from '../fixtures/network.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'

/** A tracker serving its web app. */
export interface WebTracker {
  process: TrackerProcess
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string
  /** The operator token. */
  token: string
  /** The tracker's 127.0.0.1 multiaddr, for peers. */
  addr: string
}

/** Starts the tracker CLI over `media` with its web app on a free loopback port. */
export async function startWebTracker (root: string, media: string, args: string[] = []): Promise<WebTracker> {
  const home = join(root, 'tracker')
  const process = await startTrackerProcess({ media, home, listen: '/ip4/127.0.0.1/tcp/0', args: ['--http', '127.0.0.1:0', ...args], env: cliEnv(root) })
  try {
    const url = await waitFor('the tracker to write http.url', async () => (await readFile(join(home, 'http.url'), 'utf8').catch(() => '')).trim() || undefined, 10_000)
    const token = (await readFile(join(home, 'http-token'), 'utf8')).trim()
    const addr = process.addresses.find(a => a.startsWith('/ip4/127.0.0.1/tcp/')) ?? ''
    return { process, url: url.replace(/\/$/, ''), token, addr }
  } catch (err) {
    await process.end('SIGKILL')
    throw err
  }
}
