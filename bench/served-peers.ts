/**
 * `npm run bench:served-peers`: what a tracker keeps for each peer it has served that stays
 * connected. A `mediaswarm tracker` (real process, TLS as always) on a library of `--peers`
 * distinct files; as many `mediaswarm get NAME --seed` processes, each fetching its own file
 * (so from the tracker alone) and then staying connected to seed it. Run once with small
 * files and once with larger ones (`--sizes`, bytes); for each, the tracker's RSS and its
 * malloc heap (`[heap]` in /proc/PID/smaps: where Node's TLS and OpenSSL keep their
 * per-connection buffers, and the memory of large Buffers) before the peers come and 10 s
 * after the last download, per peer, each time after a full garbage collection (the tracker
 * runs with bench/gc-probe.ts). Memory freed into glibc's heap but not given back to the
 * system still counts, as it does in the tracker's RSS.
 * Prints JSON. The difference between the sizes is what carrying the data left behind.
 *
 * Options: --peers 80 --sizes 4096,1048576 --encryption tls|noise (the tracker's, as
 * `tracker --encryption`; the peers propose TLS first as always) --keep
 */
import '../node/polyfill.js'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killAll, sleep, startNode, waitForJsonLine } from './lib/procs.js'
import { option } from './lib/args.js'
import { runBench } from './lib/run.js'
import { vmRssBytes } from './lib/soak.js'

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url))
const GC_PROBE = new URL('./gc-probe.js', import.meta.url).href

/** Resident KB of the process's `[heap]` mapping (glibc's main arena). */
async function heapKB (pid: number): Promise<number> {
  const smaps = await readFile(`/proc/${pid}/smaps`, 'utf8')
  const at = smaps.indexOf('[heap]')
  if (at < 0) return 0
  const m = /^Rss:\s+(\d+) kB$/m.exec(smaps.slice(at))
  return m == null ? 0 : Number(m[1])
}

async function waitUntil (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`)
    await sleep(500)
  }
}

async function runOnce (root: string, peers: number, fileBytes: number, encryption: string): Promise<Record<string, number>> {
  const dir = join(root, String(fileBytes))
  const media = join(dir, 'media')
  await mkdir(media, { recursive: true })
  const names = Array.from({ length: peers }, (_, i) => `served-${String(i).padStart(3, '0')}.mp3`)
  for (const name of names) await writeFile(join(media, name), randomBytes(fileBytes))
  const trackerHome = join(dir, 'tracker')
  const limit = String(peers + 8)
  const tracker = startNode('tracker', ['--expose-gc', '--import', GC_PROBE, CLI, 'tracker', '--media', media, '--home', trackerHome, '--listen', '/ip4/127.0.0.1/tcp/0', '--all-files', '--connections-per-address', limit, '--per-address', limit, '--encryption', encryption], undefined, { MEDIASWARM_HOME: trackerHome, MEDIASWARM_BENCH_GC: '1' })
  let addr = ''
  await waitUntil('the tracker\'s address', async () => {
    const text = await readFile(join(trackerHome, 'tracker.addr'), 'utf8').catch(() => '')
    addr = text.split('\n').find(a => a.startsWith('/ip4/127.0.0.1/')) ?? ''
    return addr !== ''
  }, 60_000)
  await sleep(3000)
  const pid = tracker.proc.pid!
  // what is live: garbage collected first (bench/gc-probe.ts)
  const settled = async (): Promise<{ heap: number, rss: number }> => {
    const collected = waitForJsonLine(tracker, (v: any): v is { event: string } => v?.event === 'collected', 30_000)
    tracker.proc.kill('SIGUSR2')
    await collected
    await sleep(500)
    return { heap: await heapKB(pid), rss: await vmRssBytes(pid) / 1024 }
  }
  const before = await settled()
  const outs: string[] = []
  for (const [i, name] of names.entries()) {
    const home = join(dir, `peer-${i}`)
    const out = join(dir, `${name}.out`)
    outs.push(out)
    startNode(`get ${i}`, [CLI, 'get', name, '--seed', '--tracker', addr, '--home', home, '-o', out], undefined, { MEDIASWARM_HOME: home })
    await sleep(200)
  }
  await waitUntil('every download', async () => {
    const sizes = await Promise.all(outs.map(async o => await stat(o).then(s => s.size, () => -1)))
    return sizes.every(s => s === fileBytes)
  }, 600_000)
  await sleep(10_000)
  const after = await settled()
  await killAll()
  const perPeer = (a: number, b: number): number => Math.round((b - a) / peers)
  return {
    fileBytes,
    trackerHeapKB: Math.round(before.heap),
    trackerHeapKBAfter: Math.round(after.heap),
    trackerHeapGrowthKBPerPeer: perPeer(before.heap, after.heap),
    trackerRssMB: Math.round(before.rss / 1024),
    trackerRssMBAfter: Math.round(after.rss / 1024),
    trackerRssGrowthKBPerPeer: perPeer(before.rss, after.rss)
  }
}

const argv = process.argv.slice(2)
let root = ''
await runBench(async () => {
  const peers = Number(option(argv, 'peers', '80'))
  const sizes = option(argv, 'sizes', '4096,1048576').split(',').map(Number)
  const encryption = option(argv, 'encryption', 'tls')
  if (!Number.isInteger(peers) || peers < 1 || sizes.some(s => !Number.isInteger(s) || s < 1)) throw new Error('--peers and --sizes take whole numbers.')
  root = await mkdtemp(join(tmpdir(), 'mediaswarm-served-'))
  const runs = []
  for (const size of sizes) runs.push(await runOnce(root, peers, size, encryption))
  process.stdout.write(JSON.stringify({ bench: 'served-peers', peers, trackerEncryption: encryption, runs }) + '\n')
}, async () => {
  await killAll()
  if (root !== '' && !argv.includes('--keep')) await rm(root, { recursive: true, force: true })
})
