import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HTTP_TOKEN_FILE, loadOrCreateToken, tokenMatches } from '../../../tracker/web/index.js'
import { removeDir, tempDir } from '../../fixtures/network.js'

describe('tracker web API: the operator token', function () {
  let dir: string | undefined

  afterEach(async function () {
    await removeDir(dir)
    dir = undefined
  })

  it('is created once with mode 0600 whatever the umask, and read back on the next start', async function () {
    dir = await tempDir('web-token')
    const old = process.umask(0o000)
    let token: string
    try {
      token = await loadOrCreateToken(dir)
    } finally {
      process.umask(old)
    }
    assert.match(token, /^[0-9a-f]{64}$/)
    assert.equal((await stat(join(dir, HTTP_TOKEN_FILE))).mode & 0o777, 0o600)
    assert.equal(await loadOrCreateToken(dir), token)
    assert.equal((await readFile(join(dir, HTTP_TOKEN_FILE), 'utf8')).trim(), token)
    const other = await tempDir('web-token-2')
    try {
      assert.notEqual(await loadOrCreateToken(other), token, 'tokens are random')
    } finally {
      await removeDir(other)
    }
  })

  it('refuses a token file that holds something else, naming it', async function () {
    dir = await tempDir('web-token-bad')
    await writeFile(join(dir, HTTP_TOKEN_FILE), 'hunter2\n')
    await assert.rejects(loadOrCreateToken(dir), (err: Error) => err.name === 'BadTokenFileError' && err.message.includes(HTTP_TOKEN_FILE))
  })

  it('matches only the exact token', function () {
    const t = 'ab'.repeat(32)
    assert.equal(tokenMatches(t, t), true)
    assert.equal(tokenMatches(t, t.toUpperCase()), false)
    assert.equal(tokenMatches(t, t.slice(1)), false)
    assert.equal(tokenMatches(t, t + 'a'), false)
    assert.equal(tokenMatches(t, ''), false)
  })
})
