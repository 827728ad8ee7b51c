/**
 * Web API bench: the cost of the dashboard the tracker renders for its event streams, with
 * the queue filled with N waiting requests (driven straight into the tracker's queue, no
 * network), and of a /metrics scrape. Reports CPU milliseconds per render and per scrape
 * (process CPU over many runs, robust to load unlike wall time) and the sizes sent. Prints
 * one JSON object to stdout.
 *
 *   node dist/bench/web.js [--waiting 10000] [--runs 200]
 */
import '../node/polyfill.js'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Tracker } from '../tracker/index.js'
import { buildDashboard } from '../tracker/web/index.js'

/** The JSON one dashboard event carries (rendered once per view per push). */
const render = (tracker: Tracker, operator: boolean): string => JSON.stringify(buildDashboard(tracker, operator))

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const waiting = arg('waiting', 10_000)
const runs = arg('runs', 200)
const root = await mkdtemp(join(tmpdir(), 'mediaswarm-bench-web-'))
try {
  await mkdir(join(root, 'media'))
  await writeFile(join(root, 'media', 'a.mp3'), Buffer.alloc(1024 * 1024, 1))
  const tracker = await Tracker.create({
    home: join(root, 'tracker'), mediaDir: join(root, 'media'), listen: ['/ip4/127.0.0.1/tcp/0'], watch: false,
    slots: 4, maxWaiting: waiting + 10, maxPerPeer: 1, maxRequestsPerAddress: waiting + 10,
    http: { host: '127.0.0.1', port: 0 }
  })
  const cid = tracker.catalogue.list().items[0].cidString
  for (let i = 0; i < waiting + 4; i++) tracker.queue.request({ peerId: `peer-${i}`, requestId: 'r', cid }, () => {})
  for (let i = 0; i < 60; i++) tracker.history.push({ t: Date.now() + i, queueLength: waiting, uploadRate: 1e6, offload: 0.5 })
  const measure = (fn: () => number): { cpuMsPerRun: number, bytes: number } => {
    let bytes = 0
    for (let i = 0; i < 20; i++) fn() // warm up
    const start = cpuMs()
    for (let i = 0; i < runs; i++) bytes = fn()
    return { cpuMsPerRun: Math.round((cpuMs() - start) / runs * 1000) / 1000, bytes }
  }
  const publicView = measure(() => render(tracker, false).length)
  const operatorView = measure(() => render(tracker, true).length)
  const scrapeStart = cpuMs()
  let scrapeBytes = 0
  for (let i = 0; i < 20; i++) scrapeBytes = (await tracker.metrics.text()).length
  const scrape = { cpuMsPerRun: Math.round((cpuMs() - scrapeStart) / 20 * 1000) / 1000, bytes: scrapeBytes }
  const queued = tracker.queue.stats().waiting
  await tracker.stop()
  process.stdout.write(JSON.stringify({ waiting: queued, runs, publicView, operatorView, scrape }) + '\n')
} finally {
  await rm(root, { recursive: true, force: true })
}
