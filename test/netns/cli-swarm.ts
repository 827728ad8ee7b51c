/**
 * The real CLI on the simulated internet of test/fixtures/netns.ts: a tracker in the
 * internet namespace, peers (`get`) in home namespaces, homes and media in a temporary
 * folder. Shared by the namespace specs.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI_MAIN } from '../fixtures/cli-process.js'
import { cliEnv } from '../fixtures/cli-run.js'
import type { StatusResult } from '../../cli/commands/status.js'
import type { GotFile } from '../../cli/get/fetch-item.js'
import type { CliProcess } from '../fixtures/cli-process.js'
import type { Home, Internet, NatMapping } from '../fixtures/netns.js'

/** The file every scenario shares. */
export const FILE_NAME = 'film.bin'

/** A temporary folder with a media library of one random file. */
export interface Workspace {
  dir: string
  media: string
  file: Buffer
  remove: () => Promise<void>
}

export async function workspace (size: number): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'mediaswarm-netns-'))
  const media = join(dir, 'media')
  await mkdir(media)
  const file = randomBytes(size)
  await writeFile(join(media, FILE_NAME), file)
  return { dir, media, file, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

async function poll<T> (what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** A running tracker: its process and its address (ending in /p2p/<id>). */
export interface NetnsTracker {
  cli: CliProcess
  addr: string
  peerId: string
}

/** Starts `mediaswarm tracker` in the internet namespace, listening on its bridge address. */
export async function startTracker (net: Internet, ws: Workspace, args: string[] = []): Promise<NetnsTracker> {
  const home = join(ws.dir, 'tracker')
  const cli = net.run(net.ns, ['tracker', '--media', ws.media, '--home', home, '--listen', `/ip4/${net.address}/tcp/0`, '--all-files', ...args], cliEnv(ws.dir))
  const addr = await poll(`the tracker did not write tracker.addr (stderr: ${cli.stderrTail()})`, 30_000, async () => {
    const lines = (await readFile(join(home, 'tracker.addr'), 'utf8')).split('\n')
    return lines.find(l => l.startsWith(`/ip4/${net.address}/tcp/`) && l.includes('/p2p/'))
  })
  return { cli, addr, peerId: addr.split('/p2p/')[1] }
}

/**
 * Asks the tracker for its status (`mediaswarm status --json`, from the internet namespace)
 * until `accept` takes it; resolves with the last status either way.
 */
export async function statusUntil (net: Internet, ws: Workspace, tracker: NetnsTracker, accept: (s: StatusResult) => boolean, timeoutMs: number): Promise<StatusResult> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const out = await net.exec(net.ns, process.execPath, [CLI_MAIN, 'status', '--tracker', tracker.addr, '--home', join(ws.dir, 'status'), '--json'])
    const status = JSON.parse(out) as StatusResult
    if (accept(status) || Date.now() > deadline) return status
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

/** A `get` run in a home: its process, its output path, and its own stderr for the punch log lines. */
export interface NetnsGet {
  cli: CliProcess
  output: string
  /** Waits for the process to exit and resolves with `get --json`'s answer (a seeding get answers only when stopped). */
  result: (timeoutMs: number) => Promise<GotFile[]>
  /** Resolves once the downloaded file is in place (written atomically, so complete). */
  saved: (timeoutMs: number) => Promise<void>
  /** Punch ports this peer had the relay observe (each punch it started or answered learns one). */
  punchPorts: () => number
  /** Milliseconds from the spawn to each successful punch this peer logged. */
  punches: () => Array<{ role: string, punchMs: number, sinceStartMs: number }>
}

/**
 * Runs `mediaswarm get FILE_NAME` in namespace `ns` with home `name` under the workspace;
 * `args` adds flags (`--seed --listen ...` to reshare, `--no-share` not to). The hole punch
 * logs (DEBUG=mediaswarm:punch) go to its stderr.
 */
export function startGet (net: Internet, ns: string, ws: Workspace, tracker: NetnsTracker, name: string, args: string[]): NetnsGet {
  const output = join(ws.dir, `${name}-${FILE_NAME}`)
  const env = { ...cliEnv(ws.dir), DEBUG: process.env.NETNS_DEBUG ?? 'mediaswarm:punch', DEBUG_COLORS: '0' }
  const started = Date.now()
  let log = ''
  let stdout = ''
  const cli = net.run(ns, ['get', FILE_NAME, '-o', output, '--tracker', tracker.addr, '--home', join(ws.dir, name), '--json', ...args], env)
  cli.proc.stderr?.on('data', (s: string) => { log += s })
  cli.proc.stdout?.on('data', (s: string) => { stdout += s })
  const exited = new Promise<number | null>(resolve => { cli.proc.once('close', (code) => { resolve(code) }) })
  // NETNS_LOG_DIR=/some/dir keeps each peer's whole log (with NETNS_DEBUG=mediaswarm:* for everything)
  const logDir = process.env.NETNS_LOG_DIR
  if (logDir != null) void exited.then(async () => { await writeFile(join(logDir, `${name}.log`), log) })
  return {
    cli,
    output,
    result: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined
      const overstay = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`${name} did not finish within ${timeoutMs} ms; stderr: ${cli.stderrTail()}`)) }, timeoutMs)
      })
      try {
        const code = await Promise.race([exited, overstay])
        if (code !== 0) throw new Error(`${name} exited with ${code}; stderr: ${cli.stderrTail()}`)
        // get --json prints one (indented) JSON array
        return JSON.parse(stdout) as GotFile[]
      } finally {
        clearTimeout(timer)
      }
    },
    saved: async (timeoutMs) => {
      const size = ws.file.byteLength
      await poll(`${name} did not save the file`, timeoutMs, async () => (await stat(output)).size === size ? true : undefined)
    },
    punchPorts: () => [...log.matchAll(/^\S+ mediaswarm:punch punch port \d+ is /gm)].length,
    punches: () => [...log.matchAll(/^(\S+) mediaswarm:punch punch with \S+ as (\w+) succeeded in (\d+) ms/gm)].map(m => ({
      role: m[2],
      punchMs: Number(m[3]),
      sinceStartMs: Date.parse(m[1]) - started
    }))
  }
}

/** What {@link twoHomes} saw. */
export interface TwoHomes {
  got: GotFile
  b: NetnsGet
  home1: Home
  home2: Home
  /** Bytes between A's home and the tracker while B downloaded: relayed bytes and A's own control traffic. */
  aTrackerBytes: number
  /** Bytes that entered B's home straight from another home. */
  bDirectBytes: number
  tracker: NetnsTracker
}

/**
 * The resharing scenario: A (home 1) downloads the file and seeds it; then B (home 2)
 * downloads it without sharing. Both copies are checked byte for byte.
 */
export async function twoHomes (net: Internet, ws: Workspace, mapping: NatMapping, trackerArgs: string[]): Promise<TwoHomes> {
  const home1 = await net.home({ mapping })
  const home2 = await net.home({ mapping })
  const tracker: NetnsTracker = await startTracker(net, ws, trackerArgs)
  const a = startGet(net, home1.host, ws, tracker, 'a', ['--seed', '--listen', '/ip4/0.0.0.0/tcp/0', '--no-upnp'])
  await a.saved(60_000)
  assert.deepEqual(await readFile(a.output), ws.file)
  const before = await net.trackerTraffic(home1)
  const b = startGet(net, home2.host, ws, tracker, 'b', ['--no-share'])
  const [got] = await b.result(90_000)
  const after = await net.trackerTraffic(home1)
  assert.deepEqual(await readFile(b.output), ws.file, 'B has the file, byte-identical')
  return {
    got,
    b,
    home1,
    home2,
    aTrackerBytes: after.in + after.out - before.in - before.out,
    bDirectBytes: await net.directBytesInto(home2),
    tracker
  }
}
