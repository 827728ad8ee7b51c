/**
 * A second tracker on a busy home or a busy port is refused in one sentence before it hashes
 * the library, and the running tracker's files are left byte for byte as they were.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { assertOneLineError, cliEnv, runCli } from '../fixtures/cli-run.js'
import { startTrackerProcess } from '../fixtures/tracker-process.js'
import { removeDir, standardLibrary, tempDir, writeLibrary } from '../fixtures/network.js'
import type { TrackerProcess } from '../fixtures/tracker-process.js'

/** Every file under `dir` (recursively) with the SHA-256 of its bytes. */
async function snapshot (dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.isFile()) out[relative(dir, path)] = createHash('sha256').update(await readFile(path)).digest('hex')
    }
  }
  await walk(dir)
  return out
}

describe('tracker: one owner per home, a clean refusal on a busy home or port', function () {
  this.timeout(90_000)
  let root: string
  let media: string
  let home: string
  let env: NodeJS.ProcessEnv
  let first: TrackerProcess | undefined

  before(async function () {
    root = await tempDir('tracker-owner')
    media = join(root, 'media')
    home = join(root, 'tracker-home')
    env = cliEnv(join(root, 'base'))
    await writeLibrary(media, standardLibrary())
    first = await startTrackerProcess({ media, home, listen: '/ip4/127.0.0.1/tcp/0', env })
  })

  after(async function () {
    await first?.end('SIGINT')
    await removeDir(root)
  })

  it('a second tracker on the same home: one sentence naming the owner, exit 9, the first tracker\'s files untouched', async function () {
    const before = await snapshot(home)
    assert.ok(Object.keys(before).includes('lock') && Object.keys(before).includes('tracker.addr'), `the running tracker's files: ${Object.keys(before).join(', ')}`)
    const second = await runCli(['tracker', '--media', media, '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0'], env)
    assertOneLineError('second tracker on the home', second, 9, new RegExp(`in use by a mediaswarm tracker \\(pid ${first?.cli.proc.pid ?? 0}\\)`))
    assert.deepEqual(await snapshot(home), before, 'byte for byte the same files')
  })

  it('a second tracker on the same port: one sentence naming --listen, exit 9, before hashing anything', async function () {
    const before = await snapshot(home)
    const otherHome = join(root, 'other-home')
    const second = await runCli(['tracker', '--media', media, '--home', otherHome, '--listen', `/ip4/127.0.0.1/tcp/${first?.port ?? 0}`], env)
    assertOneLineError('second tracker on the port', second, 9, /--listen/, new RegExp(`tcp/${first?.port ?? 0}`))
    assert.deepEqual(await snapshot(home), before, 'the first tracker\'s files are untouched')
    // nothing hashed, no identity made: the refusal came first
    assert.deepEqual(await snapshot(otherHome), {}, 'the refused tracker left no file in its home')
    assert.ok((await stat(otherHome)).isDirectory())
  })

  it('a peer command on the tracker\'s home is refused the same way', async function () {
    const before = await snapshot(home)
    const ls = await runCli(['ls', '--home', home, '--tracker', first?.addresses[0] ?? ''], env)
    assertOneLineError('ls on the tracker\'s home', ls, 9, /in use by a mediaswarm tracker/, /--home/)
    assert.deepEqual(await snapshot(home), before)
  })
})
