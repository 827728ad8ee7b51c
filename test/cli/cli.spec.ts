import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashFile } from '../../node/index.js'
import { commands } from '../../cli/commands/index.js'
import { commandEntries } from '../../cli/commands/registry.js'
import { baseName, removeDir, sha256, sha256File, standardLibrary, tempDir, waitFor, writeLibrary } from '../fixtures/network.js'
import type { ChildProcess } from 'node:child_process'

/** The compiled entry point (this file runs from dist/test/cli/). */
const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url))
const RUN_TIMEOUT_MS = 40_000

interface Result { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** A running child with its output so far. */
interface Running { child: ChildProcess, out: { stdout: string, stderr: string }, exited: Promise<Result> }

function start (args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const out = { stdout: '', stderr: '' }
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out.stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { out.stderr += d })
  const exited = new Promise<Result>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => { resolve({ code, signal, ...out }) })
  })
  return { child, out, exited }
}

/** Waits for a child to exit; kills it (by its own pid) when it overstays. */
async function finish (running: Running, timeoutMs = RUN_TIMEOUT_MS): Promise<Result> {
  let timer: NodeJS.Timeout | undefined
  const overstay = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL')
      reject(new Error(`mediaswarm ${running.child.spawnargs.slice(2).join(' ')} did not exit within ${timeoutMs} ms; stderr: ${running.out.stderr}`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([running.exited, overstay])
  } finally {
    clearTimeout(timer)
  }
}

function assertOneLineError (what: string, result: Result, code: number): void {
  assert.equal(result.code, code, `${what}: exit code (stderr: ${result.stderr})`)
  const lines = result.stderr.split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `${what}: exactly one line on stderr, got:\n${result.stderr}`)
  assert.ok(!result.stderr.split('\n').some(l => l.startsWith('    at ')), `${what}: no stack trace`)
  assert.ok(lines[0].length > 10, `${what}: a sentence, not a code`)
}

describe('cli: the mediaswarm binary', function () {
  let root: string
  let home: string
  let media: string
  let env: NodeJS.ProcessEnv
  let tracker: Running | undefined
  let addr: string
  const files = standardLibrary()
  const addrFile = (): string => join(home, 'tracker', 'tracker.addr')

  async function run (...args: string[]): Promise<Result> {
    return finish(start(args, env))
  }

  /** Starts a tracker whose home is $MEDIASWARM_HOME/tracker and waits for tracker.addr. */
  async function startTracker (): Promise<{ running: Running, lines: string[] }> {
    const running = start(['tracker', '--media', media, '--home', join(home, 'tracker'), '--listen', '/ip4/127.0.0.1/tcp/0', '--all-files'], env)
    const text = await waitFor('tracker.addr', async () => {
      if (running.child.exitCode != null) throw new Error(`the tracker exited early: ${running.out.stderr}`)
      return readFile(addrFile(), 'utf8').catch(() => undefined)
    }, 30_000)
    return { running, lines: text.split('\n').filter(l => l !== '') }
  }

  async function stopTracker (running: Running | undefined): Promise<Result | undefined> {
    if (running == null || running.child.exitCode != null || running.child.signalCode != null) return undefined
    running.child.kill('SIGINT')
    return finish(running, 20_000)
  }

  before(async function () {
    root = await tempDir('cli')
    home = join(root, 'home')
    media = join(root, 'media')
    await mkdir(media)
    await writeLibrary(media, files)
    env = { ...process.env, MEDIASWARM_HOME: home }
    delete env.DEBUG
    delete env.MEDIASWARM_TRACKER
    const started = await startTracker()
    tracker = started.running
    addr = started.lines.find(l => l.startsWith('/ip4/127.0.0.1/')) ?? ''
  })

  after(async function () {
    await stopTracker(tracker).catch(() => { tracker?.child.kill('SIGKILL') })
    await removeDir(root)
  })

  it('tracker writes tracker.addr and prints its multiaddr with /p2p/', async function () {
    assert.match(addr, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+$/)
    const peerId = addr.split('/p2p/')[1]
    const lines = (await readFile(addrFile(), 'utf8')).split('\n').filter(l => l !== '')
    assert.ok(lines.every(l => l.endsWith(`/p2p/${peerId}`)), 'every address names the tracker')
    await waitFor('the banner', () => tracker?.out.stdout.includes(addr), 10_000)
    assert.ok(tracker?.out.stdout.includes(peerId))
    assert.match(tracker?.out.stdout ?? '', /on this machine --tracker can be left out/, 'true: its home is the default one')
  })

  it('ls --json lists every file with name, cid, size and mime, with or without --tracker', async function () {
    const withFlag = await run('ls', '--tracker', addr, '--json')
    assert.equal(withFlag.code, 0, withFlag.stderr)
    const items = JSON.parse(withFlag.stdout) as Array<{ name: string, path: string, cid: string, size: number, mime: string }>
    assert.ok(Array.isArray(items))
    assert.equal(items.length, files.length)
    for (const f of files) {
      const item = items.find(i => i.path === f.path)
      assert.ok(item != null, f.path)
      assert.equal(item.name, baseName(f.path))
      assert.equal(item.size, f.data.byteLength)
      assert.equal(item.mime, f.mime)
      assert.equal(item.cid, (await hashFile(join(media, f.path))).cid.toString())
    }
    // no --tracker: found through $MEDIASWARM_HOME/tracker/tracker.addr
    const local = await run('ls', '--json')
    assert.equal(local.code, 0, local.stderr)
    assert.deepEqual(JSON.parse(local.stdout), items)
  })

  it('get writes a byte-identical file and reports it as JSON', async function () {
    const out = join(root, 'out-one')
    const result = await run('get', 'big.mp4', '--tracker', addr, '-o', out, '--json')
    assert.equal(result.code, 0, result.stderr)
    const [got] = JSON.parse(result.stdout) as Array<{ name: string, path: string, size: number, cid: string }>
    assert.equal(got.name, 'big.mp4')
    assert.equal(got.path, join(out, 'big.mp4'))
    assert.equal(got.size, 3 * 1024 * 1024 + 5)
    assert.equal(await sha256File(got.path), sha256(files[0].data))
    assert.deepEqual(await readdir(out), ['big.mp4'], 'no temporary file is left')
  })

  it('two gets at once both succeed (same default peer home, as from two terminals)', async function () {
    const outs = [join(root, 'out-a'), join(root, 'out-b')]
    const names = files.map(f => baseName(f.path))
    const [a, b] = await Promise.all(outs.map(async out => finish(start(['get', ...names, '-o', out, '--json'], env))))
    assert.equal(a.code, 0, `first get: ${a.stderr}`)
    assert.equal(b.code, 0, `second get: ${b.stderr}`)
    for (const out of outs) {
      assert.deepEqual((await readdir(out)).sort(), [...names].sort())
      for (const f of files) assert.equal(await sha256File(join(out, baseName(f.path))), sha256(f.data), `${out}/${f.path}`)
    }
  })

  it('fails with one plain line and the right exit code', async function () {
    const blocker = join(root, 'a-regular-file')
    await writeFile(blocker, 'not a folder')
    const [unknown, unreachable, unwritable, badOption] = await Promise.all([
      // each on its own home: commands on one home share its owner's node and tracker
      run('get', 'no-such-file.mp4', '--tracker', addr, '-o', join(root, 'out-unknown'), '--home', join(root, 'h-unknown')),
      run('get', 'big.mp4', '--tracker', '/ip4/127.0.0.1/tcp/1', '-o', join(root, 'out-unreachable'), '--home', join(root, 'h-unreachable')),
      run('get', 'big.mp4', '--tracker', addr, '-o', join(blocker, 'sub'), '--home', join(root, 'h-unwritable')),
      run('get', 'big.mp4', '--no-such-option')
    ])
    assertOneLineError('unknown name', unknown, 3)
    assertOneLineError('unreachable tracker', unreachable, 4)
    assertOneLineError('unwritable output', unwritable, 6)
    assertOneLineError('bad option', badOption, 2)
    assert.match(unknown.stderr, /no-such-file\.mp4/)
    assert.match(badOption.stderr, /no-such-option/)
    assertOneLineError('unknown command', await run('frobnicate'), 2)
    assertOneLineError('missing media folder', await run('tracker', '--media', join(root, 'no-such-folder'), '--home', join(root, 't2'), '--listen', '/ip4/127.0.0.1/tcp/0'), 2)
    assertOneLineError('bad multiaddr', await run('ls', '--tracker', 'not-a-multiaddr'), 2)
  })

  it('--max-download-rate caps the download: byte-identical, and no faster than the cap allows', async function () {
    const out = join(root, 'out-capped')
    const result = await run('get', 'big.mp4', '--tracker', addr, '-d', out, '--home', join(root, 'capped-home'), '--max-download-rate', '1MiB', '--json')
    assert.equal(result.code, 0, result.stderr)
    const [got] = JSON.parse(result.stdout) as Array<{ path: string, transferMs: number }>
    assert.equal(await sha256File(got.path), sha256(files[0].data))
    // a lower bound only (a slow machine is slower still): 3 MiB at 1 MiB/s, less the limiter's quarter-second burst
    assert.ok(got.transferMs >= 2000, `took ${got.transferMs} ms for 3 MiB at 1 MiB/s`)
    assertOneLineError('a bad rate', await run('get', 'big.mp4', '--max-download-rate', 'fast'), 2)
  })

  it('tracker exits 0 on SIGINT, removes tracker.addr, and keeps its PeerId across restarts', async function () {
    const peerId = addr.split('/p2p/')[1]
    const stopped = await stopTracker(tracker)
    assert.equal(stopped?.code, 0, stopped?.stderr)
    await assert.rejects(readFile(addrFile()), (err: NodeJS.ErrnoException) => err.code === 'ENOENT')
    const restarted = await startTracker()
    tracker = restarted.running
    assert.ok(restarted.lines.length > 0)
    for (const line of restarted.lines) assert.ok(line.endsWith(`/p2p/${peerId}`), `${line} keeps the PeerId`)
    const again = await stopTracker(tracker)
    assert.equal(again?.code, 0, again?.stderr)
  })

  it('a tracker serves media only unless --all-files; ls shows a short CID column and no raw control characters', async function () {
    const mediaHome = join(root, 'media-only-tracker')
    const running = start(['tracker', '--media', media, '--home', mediaHome, '--listen', '/ip4/127.0.0.1/tcp/0'], env)
    try {
      const text = await waitFor('tracker.addr', async () => {
        if (running.child.exitCode != null) throw new Error(`the tracker exited early: ${running.out.stderr}`)
        return readFile(join(mediaHome, 'tracker.addr'), 'utf8').catch(() => undefined)
      }, 30_000)
      const mediaAddr = text.split('\n').find(l => l.startsWith('/ip4/127.0.0.1/')) ?? ''
      const listed = await run('ls', '--tracker', mediaAddr, '--home', join(root, 'ls-media-home'), '--json')
      assert.equal(listed.code, 0, listed.stderr)
      const paths = (JSON.parse(listed.stdout) as Array<{ path: string }>).map(i => i.path).sort()
      assert.deepEqual(paths, ['big.mp4', 'music/song.mp3'], 'the text and binary files are left out')
      await waitFor('the banner', () => running.out.stdout.includes('press Ctrl-C'), 10_000)
      assert.doesNotMatch(running.out.stdout, /--tracker can be left out/, 'not true for a tracker with another home')
      assert.match(running.out.stdout, /export MEDIASWARM_TRACKER=\/ip4\/127\.0\.0\.1\//)
      const table = await run('ls', '--tracker', mediaAddr, '--home', join(root, 'ls-table-home'))
      assert.equal(table.code, 0, table.stderr)
      assert.match(table.stdout, /^NAME +CID +TYPE +SIZE/m)
      assert.doesNotMatch(table.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, 'no control character but newlines')
    } finally {
      await stopTracker(running)
    }
  })

  it('every command follows the contract', async function () {
    assert.ok(commands.length >= 3)
    const names = commands.map(c => c.name)
    assert.equal(new Set(names).size, names.length, 'names are unique')
    for (const name of ['tracker', 'ls', 'get']) assert.ok(names.includes(name), name)
    for (const c of commands) {
      assert.match(c.name, /^[a-z][a-z-]*$/, 'a kebab-case name')
      assert.equal(typeof c.summary, 'string')
      assert.ok(c.summary.length > 0 && !c.summary.includes('\n'), `${c.name}: a one-line summary`)
      assert.ok(typeof c.usage === 'string' && c.usage.startsWith(c.name), `${c.name}: usage starts with the name`)
      assert.equal(typeof c.run, 'function', `${c.name}: run`)
      if (c.render != null) assert.equal(typeof c.render, 'function')
      assert.ok(c.options != null && typeof c.options === 'object', `${c.name}: options`)
      const shorts = new Set<string>()
      for (const [option, o] of Object.entries(c.options)) {
        assert.ok(option !== 'help', `${c.name}: --help is the entry point's`)
        assert.ok(o.type === 'string' || o.type === 'boolean', `${c.name} --${option}: type`)
        assert.ok(typeof o.description === 'string' && o.description.length > 0, `${c.name} --${option}: description`)
        if (o.short != null) {
          assert.match(o.short, /^[a-zA-Z]$/, `${c.name} --${option}: short flag`)
          assert.ok(o.short !== 'h' && !shorts.has(o.short), `${c.name} -${o.short}: unique`)
          shorts.add(o.short)
        }
      }
      if (c.options.json != null) assert.equal(c.options.json.type, 'boolean')
    }
    // the entry point loads a command by its registry entry: the same commands, in the same order
    assert.deepEqual(commandEntries.map(e => e.name), names)
    for (const [i, e] of commandEntries.entries()) assert.equal(await e.load(), commands[i], `${e.name}: the registry loads that command`)
    const help = await run('--help')
    assert.equal(help.code, 0)
    for (const c of commands) assert.match(help.stdout, new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))
  })
})
