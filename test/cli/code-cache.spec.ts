/**
 * cli/code-cache and cli/launch: a command that starts a node runs the CommonJS bundle
 * through V8's code cache. The cache is written once, accepted by the next process (also
 * after the process changed V8's flags and put them back), rejected but harmless when
 * corrupt; light commands and commands a daemon serves take the ES module bundle.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCachedScript } from '../../cli/code-cache.js'
import { codeCacheDir, startsNode } from '../../cli/launch.js'
import { cliEnv, gotOne, runCli, startCliTracker } from '../fixtures/cli-run.js'
import { removeDir, tempDir } from '../fixtures/network.js'

const CODE_CACHE = new URL('../../cli/code-cache.js', import.meta.url).href
const V8_FLAGS_MODULE = new URL('../../cli/v8-flags.js', import.meta.url).href

/** A CommonJS file with a shebang and enough functions for a cache worth the name. */
const SCRIPT = `#!/usr/bin/env node
'use strict'
function add (a, b) { return a + b }
function twice (f, x) { return f(f(x, x), 1) }
module.exports = { answer: twice(add, 20) + 1, dir: __dirname, file: __filename, required: typeof require('node:path').join }
`

/** In a child: runCachedScript, optionally apply the flags and put them back, save; prints status and whether it saved. */
function inChild (file: string, cache: string, steps: { apply?: boolean, restore?: boolean }): { status: string, saved: boolean } {
  const script = `const { runCachedScript } = await import(${JSON.stringify(CODE_CACHE)});
    const { applyV8Flags, restoreV8Defaults } = await import(${JSON.stringify(V8_FLAGS_MODULE)});
    const run = runCachedScript(${JSON.stringify(file)}, ${JSON.stringify(cache)});
    ${steps.apply === true ? "applyV8Flags('get');" : ''}
    ${steps.restore === true ? 'restoreV8Defaults();' : ''}
    process.stdout.write(JSON.stringify({ status: run.status, saved: run.save() }))`
  const env = { ...process.env, MEDIASWARM_V8_FLAGS: '' }
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' })) as { status: string, saved: boolean }
}

describe('cli/code-cache', function () {
  this.timeout(60_000)
  let root: string | undefined

  afterEach(async function () { await removeDir(root) })

  it('runs a CommonJS file, writes its cache once and is given it back', async function () {
    root = await tempDir('code-cache')
    const file = join(root, 'script.cjs')
    const cache = join(root, 'cache', 'script.v8cache')
    await writeFile(file, SCRIPT)
    const first = runCachedScript(file, cache)
    assert.equal(first.status, 'missing')
    assert.deepEqual(first.exports, { answer: 42, dir: root, file, required: 'function' })
    assert.equal(first.save(), true)
    assert.ok((await stat(cache)).size > 0)
    // a new process (V8 keeps compiled scripts per process): the cache is accepted and not rewritten
    assert.deepEqual(inChild(file, cache, {}), { status: 'accepted', saved: false })
  })

  it('rejects a corrupt cache, still runs the file and writes a good one', async function () {
    root = await tempDir('code-cache')
    const file = join(root, 'script.cjs')
    const cache = join(root, 'script.v8cache')
    await writeFile(file, SCRIPT)
    await writeFile(cache, Buffer.alloc(4096, 0x5a))
    const run = runCachedScript(file, cache)
    assert.equal(run.status, 'rejected')
    assert.equal((run.exports as { answer: number }).answer, 42)
    assert.equal(run.save(), true)
    assert.deepEqual(inChild(file, cache, {}), { status: 'accepted', saved: false })
  })

  it('writes a cache the next process accepts after mediaswarm\'s V8 flags are put back, and only then', async function () {
    root = await tempDir('code-cache')
    const file = join(root, 'script.cjs')
    await writeFile(file, SCRIPT)
    const restored = join(root, 'restored.v8cache')
    assert.deepEqual(inChild(file, restored, { apply: true, restore: true }), { status: 'missing', saved: true })
    assert.equal(inChild(file, restored, {}).status, 'accepted', 'V8_DEFAULTS are V8\'s own values (did Node\'s V8 change them?)')
    // the control: written with the flags still set, the cache carries their hash and is refused
    const changed = join(root, 'changed.v8cache')
    inChild(file, changed, { apply: true })
    assert.equal(inChild(file, changed, {}).status, 'rejected')
  })
})

describe('cli/launch', function () {
  this.timeout(60_000)
  let root: string | undefined

  afterEach(async function () { await removeDir(root) })

  it('finds the cache folder: MEDIASWARM_CODE_CACHE, off, XDG_CACHE_HOME, ~/.cache', function () {
    assert.equal(codeCacheDir({ MEDIASWARM_CODE_CACHE: '/srv/cache' }), '/srv/cache')
    assert.equal(codeCacheDir({ MEDIASWARM_CODE_CACHE: 'off', XDG_CACHE_HOME: '/x' }), undefined)
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/mediaswarm')
    assert.match(codeCacheDir({}) ?? '', /\/\.cache\/mediaswarm$/)
  })

  it('takes the cached bundle for commands that start a node, not for help or a home a daemon owns', async function () {
    root = await tempDir('launch')
    const env = { MEDIASWARM_HOME: root }
    assert.equal(startsNode(['tracker', '--media', 'm'], env), true)
    assert.equal(startsNode(['peer'], env), true)
    assert.equal(startsNode(['get', 'a.mp3'], env), true)
    assert.equal(startsNode(['get', '--help'], env), false)
    assert.equal(startsNode(['--help'], env), false)
    assert.equal(startsNode([], env), false)
    assert.equal(startsNode(['keygen', 'x'], env), false)
    // a daemon's control socket in the peer's home: the command will talk to it
    await mkdir(join(root, 'peer'))
    await writeFile(join(root, 'peer', 'control.sock'), '')
    assert.equal(startsNode(['get', 'a.mp3'], env), false)
    assert.equal(startsNode(['ls'], env), false)
    assert.equal(startsNode(['get', 'a.mp3', '--home', join(root, 'other')], env), true)
    assert.equal(startsNode(['get', 'a.mp3', `--home=${join(root, 'peer')}`], env), false)
    // status without --home asks the tracker's home
    assert.equal(startsNode(['status'], env), true)
    await mkdir(join(root, 'tracker'))
    await writeFile(join(root, 'tracker', 'control.sock'), '')
    assert.equal(startsNode(['status'], env), false)
  })

  it('a real get that succeeds writes the cache (one that fails does not), the next get is given it, all files arrive whole, old builds\' caches go, and a process with V8 flags of its own gets its own cache', async function () {
    root = await tempDir('launch')
    const media = join(root, 'media')
    await mkdir(media)
    const bytes = Buffer.alloc(200 * 1024, 3)
    await writeFile(join(media, 'tone.mp3'), bytes)
    const cacheDir = join(root, 'code-cache')
    await mkdir(cacheDir)
    const stale = join(cacheDir, 'cli-0000000000000000-old-get.v8cache')
    await writeFile(stale, 'an older build')
    const env = { ...cliEnv(root), MEDIASWARM_CODE_CACHE: cacheDir }
    const tracker = await startCliTracker({ media, home: join(root, 'tracker'), env })
    try {
      const get = async (n: number, extra: NodeJS.ProcessEnv = {}): Promise<void> => {
        const out = join(root!, `out${n}`)
        const result = await runCli(['get', 'tone.mp3', '--tracker', tracker.addr, '--home', join(root!, `peer${n}`), '-o', out, '--json', '--no-share'], { ...env, ...extra })
        assert.equal(gotOne(`get ${n}`, result).size, bytes.byteLength)
        assert.deepEqual(await readFile(join(out, 'tone.mp3')), bytes)
      }
      // a get that fails (no such file) writes no cache: it compiled little
      const failed = await runCli(['get', 'nosuch.mp3', '--tracker', tracker.addr, '--home', join(root, 'peer0'), '-o', join(root, 'out0')], env)
      assert.notEqual(failed.code, 0)
      assert.deepEqual((await readdir(cacheDir)).filter(f => f.endsWith('-get.v8cache')), [stale.split('/').pop()], 'no cache after a failed get')
      await get(1)
      const caches = (await readdir(cacheDir)).filter(f => f.endsWith('-get.v8cache'))
      assert.equal(caches.length, 1, `one cache for get: ${caches.join(', ')}`)
      assert.ok(!caches.includes('cli-0000000000000000-old-get.v8cache'), 'the old build\'s cache was removed')
      const written = await stat(join(cacheDir, caches[0]))
      await get(2)
      // accepted: a process writes the cache only when it had none or V8 refused it
      const after = await stat(join(cacheDir, caches[0]))
      assert.equal(after.mtimeMs, written.mtimeMs, 'the second get was given the cache and did not rewrite it')
      // a process with V8 flags of its own (another flag hash) gets a cache of its own, leaving the first alone
      await get(3, { NODE_OPTIONS: '--max-old-space-size=512' })
      const all = (await readdir(cacheDir)).filter(f => f.endsWith('-get.v8cache') || /-get-[0-9a-f]{8}\.v8cache$/.test(f))
      assert.equal(all.length, 2, `a second cache for the flagged process: ${all.join(', ')}`)
      assert.equal((await stat(join(cacheDir, caches[0]))).mtimeMs, written.mtimeMs)
    } finally {
      await tracker.stop()
    }
  })
})
