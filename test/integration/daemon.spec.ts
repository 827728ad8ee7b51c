/**
 * One home, one owner: the peer daemon and the short commands that use it, as real processes.
 * The newcomer's setup from the README (a daemon and a `get` on the default home) keeps
 * sharing; Ctrl-C in `get` cancels the download in the daemon; a killed daemon's lock is
 * taken over.
 */
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ControlClient } from '../../node/index.js'
import { startCli } from '../fixtures/cli-process.js'
import { assertOneLineError, cliEnv, gotOne, runCli, spawnCli, startCliTracker } from '../fixtures/cli-run.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { MiB, removeDir, sha256, sha256File, standardLibrary, tempDir, waitFor, writeLibrary } from '../fixtures/network.js'
import type { ControlEvent } from '../../node/index.js'
import type { CliProcess } from '../fixtures/cli-process.js'
import type { CliTracker } from '../fixtures/cli-run.js'

const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0']

interface StatusJson {
  queue: { granted: number, waiting: number }
  transfers: Array<{ path: string, providers: number }>
}

/** Starts `mediaswarm peer` and waits until it shares. */
async function startDaemon (env: NodeJS.ProcessEnv, args: string[] = []): Promise<CliProcess> {
  const daemon = startCli(['peer', ...LISTEN, '--json', ...args], env)
  try {
    await daemon.jsonLine((v: any): v is { event: 'sharing' } => v?.event === 'sharing', 30_000)
  } catch (err) {
    await daemon.stop()
    throw err
  }
  return daemon
}

describe('daemon: one owner per peer home, short commands through its control channel', function () {
  this.timeout(120_000)
  let root: string
  let base: string
  let env: NodeJS.ProcessEnv
  let tracker: CliTracker | undefined
  let daemon: CliProcess | undefined
  const clip = { path: 'clip.mp4', data: pseudoRandomBytes(2 * MiB + 3, 22), mime: 'video/mp4' }
  const files = [...standardLibrary(), { path: 'slow.mp4', data: pseudoRandomBytes(12 * MiB, 21), mime: 'video/mp4' }, clip]
  const big = files[0]

  before(async function () {
    root = await tempDir('daemon')
    base = join(root, 'base')
    env = cliEnv(base)
    const media = join(root, 'media')
    await writeLibrary(media, files)
    // a slow tracker: the third peer then takes pieces from the daemon too, and a download lasts long enough to be interrupted
    tracker = await startCliTracker({ media, home: join(base, 'tracker'), env, args: ['--max-upload-rate', '512KiB'] })
    daemon = await startDaemon(env)
  })

  after(async function () {
    await daemon?.stop()
    await tracker?.stop()
    await removeDir(root)
  })

  async function status (): Promise<StatusJson> {
    const result = await runCli(['status', '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    return JSON.parse(result.stdout) as StatusJson
  }

  it('the newcomer scenario: a get on the daemon\'s home runs in the daemon, which keeps sharing it; a third peer fetches from it', async function () {
    const out = join(root, 'out-newcomer')
    const got = gotOne('get on the daemon\'s home', await runCli(['get', 'big.mp4', '-d', out, '--json'], env))
    assert.equal(await sha256File(got.path), sha256(big.data))
    // the daemon still owns the home: the get never started a node of its own
    const lock = JSON.parse(await readFile(join(base, 'peer', 'lock'), 'utf8')) as { pid: number, role: string }
    assert.equal(lock.pid, daemon?.proc.pid)
    assert.equal(lock.role, 'peer')
    // after the get exited, the tracker still names the daemon as a provider of the file
    await waitFor('the daemon named as provider', async () => (await status()).transfers.find(t => t.path === 'big.mp4' && t.providers >= 1), 20_000)
    const third = gotOne('a third peer', await runCli(['get', 'big.mp4', '--home', join(root, 'third'), '-d', join(root, 'out-third'), '--json', ...LISTEN], env))
    assert.equal(await sha256File(third.path), sha256(big.data))
    assert.ok(third.bytesFromPeers > 0, `the third peer took pieces from the daemon (from peers: ${third.bytesFromPeers}, from the tracker: ${third.bytesFromTracker})`)
    assert.ok((await status()).transfers.find(t => t.path === 'big.mp4' && t.providers >= 1) != null, 'still a provider')
  })

  it('a get through the control channel is told every verified byte, in batched piece events', async function () {
    const ls = await runCli(['ls', '--json'], env)
    assert.equal(ls.code, 0, ls.stderr)
    const cid = (JSON.parse(ls.stdout) as Array<{ path: string, cid: string }>).find(i => i.path === clip.path)?.cid
    assert.ok(cid !== undefined, 'the clip is in the catalogue')
    const client = await ControlClient.connect(join(base, 'peer'))
    const pieces: Array<Extract<ControlEvent, { type: 'piece' }>> = []
    // a client that draws nothing asks for rare piece events: what is pending still comes before the result
    const result = await client.get({ cid, path: join(root, 'out-batched', clip.path), pieceIntervalMs: 10_000 }, (e) => { if (e.type === 'piece') pieces.push(e) })
    assert.equal(await sha256File(join(root, 'out-batched', clip.path)), sha256(clip.data))
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    assert.equal(sum(pieces.map(p => p.bytes)), clip.data.byteLength, 'the piece events add up to the file')
    assert.equal(sum(pieces.map(p => p.peerBytes ?? NaN)), result.bytesFromPeers, 'their peer bytes add up to what came from peers')
  })

  it('ls and status on the daemon\'s home answer through it', async function () {
    const ls = await runCli(['ls', '--json'], env)
    assert.equal(ls.code, 0, ls.stderr)
    assert.ok((JSON.parse(ls.stdout) as Array<{ path: string }>).some(i => i.path === 'big.mp4'))
    const text = await runCli(['ls'], env)
    assert.equal(text.code, 0, text.stderr)
    const cid = (JSON.parse(ls.stdout) as Array<{ path: string, cid: string }>).find(i => i.path === 'big.mp4')?.cid ?? ''
    assert.match(text.stdout, new RegExp(`^big\\.mp4 +${cid.slice(0, 8)}…${cid.slice(-6)} +video/mp4`, 'm'), 'a short CID column')
  })

  it('Ctrl-C in get ends the line, says "Interrupted." and cancels the download in the daemon', async function () {
    const running = spawnCli(['get', 'slow.mp4', '-d', join(root, 'out-cancel')], env)
    await waitFor('the download to start', () => running.out.stderr.includes('slow.mp4: downloading'), 30_000)
    await waitFor('the tracker to grant it', async () => (await status()).queue.granted === 1, 10_000)
    running.child.kill('SIGINT')
    const result = await running.exited
    assert.equal(result.code, 130, result.stderr)
    assert.equal(result.stderr.trimEnd().split('\n').pop(), 'Interrupted.')
    // the daemon dropped the request: the tracker's slot is free again, and the daemon lives on
    await waitFor('the slot to be released', async () => { const s = await status(); return s.queue.granted === 0 && s.queue.waiting === 0 }, 20_000)
    assert.equal(daemon?.proc.exitCode, null, 'the daemon still runs')
    // at most the hidden partial download (kept to resume), never the file's name
    assert.ok(!(await readdir(join(root, 'out-cancel'))).includes('slow.mp4'), 'no slow.mp4 written')
  })

  it('play on the daemon\'s home streams from the daemon\'s web player', async function () {
    const play = startCli(['play', 'song.mp3', '--player', 'none', '--json'], env)
    try {
      const serving = await play.jsonLine((v: any): v is { url: string } => v?.event === 'serving', 30_000)
      const sharing = await daemon?.jsonLine((v: any): v is { web: string } => v?.event === 'sharing', 1000)
      assert.ok(serving.url.startsWith(`${sharing?.web ?? '?'}/`), `${serving.url} is served by the daemon (${sharing?.web ?? ''})`)
      const res = await fetch(serving.url)
      assert.equal(res.status, 200)
      assert.equal(sha256(new Uint8Array(await res.arrayBuffer())), sha256(files[1].data))
    } finally {
      await play.stop()
    }
  })

  it('a second daemon on the home is refused in one sentence; a daemon on the tracker\'s home too', async function () {
    const second = await runCli(['peer', ...LISTEN], env)
    assertOneLineError('second daemon', second, 9, /in use by the mediaswarm peer daemon/, new RegExp(`pid ${daemon?.proc.pid ?? 0}`))
    const onTracker = await runCli(['peer', '--home', join(base, 'tracker'), ...LISTEN], env)
    assertOneLineError('daemon on the tracker\'s home', onTracker, 9, /in use by a mediaswarm tracker/)
  })

  it('-o - streams the file to stdout in order while it downloads, byte-identical', async function () {
    const { spawn } = await import('node:child_process')
    const { CLI_MAIN } = await import('../fixtures/cli-process.js')
    const child = spawn(process.execPath, [CLI_MAIN, 'get', 'music/song.mp3', '-o', '-', '--home', join(root, 'stream-home'), ...LISTEN], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { chunks.push(d) })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const code = await new Promise<number | null>(resolve => child.once('close', resolve))
    assert.equal(code, 0, stderr)
    assert.equal(sha256(Buffer.concat(chunks)), sha256(files[1].data))
  })

  it('get refuses to overwrite a different file, reports an identical one, and replaces with --force', async function () {
    const out = join(root, 'out-exists')
    const home = join(root, 'exists-home')
    const { mkdir, writeFile } = await import('node:fs/promises')
    await mkdir(out)
    await writeFile(join(out, 'song.mp3'), 'my own song')
    const refused = await runCli(['get', 'song.mp3', '-d', out, '--home', home], env)
    assertOneLineError('different file in the way', refused, 8, /--force/)
    assert.equal(await readFile(join(out, 'song.mp3'), 'utf8'), 'my own song', 'left untouched')
    const forced = gotOne('--force', await runCli(['get', 'song.mp3', '-d', out, '--home', home, '--force', '--json'], env))
    assert.equal(await sha256File(forced.path), sha256(files[1].data))
    const again = await runCli(['get', 'song.mp3', '-o', join(out, 'song.mp3'), '--home', home], env)
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /already there/)
  })

  it('--select fetches every matching catalogue item; -o FILE names the one file', async function () {
    const out = join(root, 'out-select')
    const home = join(root, 'select-home')
    const result = await runCli(['get', '--select', 'music/*', '--select', '*.txt', '-d', out, '--home', home, '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual((await readdir(out)).sort(), ['notes.txt', 'song.mp3'])
    const named = gotOne('-o FILE', await runCli(['get', 'notes.txt', '-o', join(out, 'renamed.txt'), '--home', home, '--json'], env))
    assert.equal(named.path, join(out, 'renamed.txt'))
    assert.equal(await sha256File(named.path), sha256(files[2].data))
    assertOneLineError('nothing matches', await runCli(['get', '--select', '*.flac', '--home', home], env), 3, /\*\.flac/)
  })

  it('--seed-time and --seed-ratio end seeding by themselves; with a daemon, --seed leaves the sharing to it', async function () {
    const home = join(root, 'seed-home')
    const timed = await runCli(['get', 'song.mp3', '-d', join(root, 'out-seed-1'), '--home', home, '--seed-time', '0.02', '--json', ...LISTEN], env)
    assert.equal(timed.code, 0, timed.stderr)
    assert.equal((JSON.parse(timed.stdout.split('\n')[0]) as unknown[]).length, 1, 'the files are reported when seeding starts')
    const ratio = await runCli(['get', 'song.mp3', '-d', join(root, 'out-seed-2'), '--home', home, '--seed-ratio', '0', ...LISTEN], env)
    assert.equal(ratio.code, 0, ratio.stderr)
    assert.match(ratio.stderr, /seeding as 12D3/)
    const viaDaemon = await runCli(['get', 'song.mp3', '-d', join(root, 'out-seed-3'), '--seed'], env)
    assert.equal(viaDaemon.code, 0, viaDaemon.stderr)
    assert.match(viaDaemon.stderr, new RegExp(`the peer daemon \\(pid ${daemon?.proc.pid ?? 0}\\) keeps sharing it`))
  })

  it('a daemon killed with SIGKILL leaves a stale lock that the next command takes over', async function () {
    const home = join(root, 'killed-home')
    const env2 = { ...env }
    const victim = await startDaemon(env2, ['--home', home])
    const exited = new Promise(resolve => victim.proc.once('close', resolve))
    victim.proc.kill('SIGKILL')
    await exited
    assert.equal(JSON.parse(await readFile(join(home, 'lock'), 'utf8')).pid, victim.proc.pid, 'the dead owner\'s lock is still there')
    const ls = await runCli(['ls', '--home', home, '--json'], env)
    assert.equal(ls.code, 0, ls.stderr)
    await assert.rejects(readFile(join(home, 'lock')), { code: 'ENOENT' }, 'given up again on exit')
    await assert.rejects(readFile(join(home, 'control.sock')), { code: 'ENOENT' }, 'the dead owner\'s socket is gone too')
  })
})
