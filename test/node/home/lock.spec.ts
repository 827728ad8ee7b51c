import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HomeLock, LOCK_FILE, homeOwner, processStart } from '../../../node/home/index.js'
import { removeDir, tempDir } from '../../fixtures/network.js'

/** The compiled lock module, for a child process that takes a home and is then killed. */
const LOCK_MODULE = fileURLToPath(new URL('../../../node/home/lock.js', import.meta.url))

describe('node/home: one owner per home', function () {
  let root: string

  beforeEach(async function () { root = await tempDir('lock') })
  afterEach(async function () { await removeDir(root) })

  it('a second taker is refused while the owner lives, and gets the home once it is released', async function () {
    const home = join(root, 'home')
    const lock = await HomeLock.acquire(home, 'peer')
    const text = await readFile(join(home, LOCK_FILE), 'utf8')
    assert.equal(JSON.parse(text).pid, process.pid)
    await assert.rejects(HomeLock.acquire(home, 'get'), (err: Error & { owner?: { pid: number, role: string } }) => {
      assert.equal(err.name, 'HomeBusyError')
      assert.equal(err.owner?.pid, process.pid)
      assert.equal(err.owner?.role, 'peer')
      return true
    })
    assert.equal(await readFile(join(home, LOCK_FILE), 'utf8'), text, 'the refused taker changed nothing')
    assert.deepEqual(await readdir(home), [LOCK_FILE], 'no temporary file is left')
    assert.equal((await homeOwner(home))?.pid, process.pid)
    await lock.release()
    assert.equal(await homeOwner(home), undefined)
    const again = await HomeLock.acquire(home, 'get')
    await again.release()
  })

  it('takes over the lock of a process killed with SIGKILL', async function () {
    const home = join(root, 'home')
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      const { HomeLock } = await import(${JSON.stringify(LOCK_MODULE)})
      await HomeLock.acquire(${JSON.stringify(home)}, 'peer')
      process.stdout.write('locked\\n')
      setInterval(() => {}, 1000)
    `], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('locked')) resolve() })
      child.once('exit', () => { reject(new Error('the child exited before locking')) })
    })
    assert.equal((await homeOwner(home))?.pid, child.pid)
    await assert.rejects(HomeLock.acquire(home, 'get'), { name: 'HomeBusyError' })
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    assert.equal(await homeOwner(home), undefined, 'a dead owner owns nothing')
    const lock = await HomeLock.acquire(home, 'get')
    assert.equal(JSON.parse(await readFile(join(home, LOCK_FILE), 'utf8')).pid, process.pid)
    await lock.release()
  })

  it('a lock naming a live pid with another start time (a reused pid) is stale', async function () {
    const home = join(root, 'home')
    const lock = await HomeLock.acquire(home, 'peer')
    await lock.release()
    const start = processStart(process.pid)
    if (start == null) this.skip() // no /proc: pid reuse cannot be told apart
    await writeFile(join(home, LOCK_FILE), JSON.stringify({ pid: process.pid, start: String(Number(start) - 1), role: 'peer', since: 0 }))
    assert.equal(await homeOwner(home), undefined)
    const taken = await HomeLock.acquire(home, 'get')
    assert.equal(JSON.parse(await readFile(join(home, LOCK_FILE), 'utf8')).start, start)
    await taken.release()
  })

  it('release leaves a lock that is no longer ours alone', async function () {
    const home = join(root, 'home')
    const lock = await HomeLock.acquire(home, 'peer')
    const other = JSON.stringify({ pid: process.pid, role: 'tracker', since: 1 })
    await writeFile(join(home, LOCK_FILE), other)
    await lock.release()
    assert.equal(await readFile(join(home, LOCK_FILE), 'utf8'), other)
  })
})
