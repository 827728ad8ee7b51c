/**
 * `mediaswarm tracker --http ADDR:PORT` as a real process: the `web:` line, http.url, the
 * token file, a clean stop, and one-line errors for a bad address or a busy port.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { access, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { assertOneLineError, cliEnv, runCli, spawnCli } from '../fixtures/cli-run.js'
import { httpRequest } from '../fixtures/http-client.js'
import { removeDir, standardLibrary, tempDir, waitFor, writeLibrary } from '../fixtures/network.js'
import type { AddressInfo } from 'node:net'

const exists = async (path: string): Promise<boolean> => access(path).then(() => true, () => false)

describe('cli: tracker --http', function () {
  let root: string | undefined

  afterEach(async function () {
    await removeDir(root)
    root = undefined
  })

  async function library (): Promise<{ media: string, home: string, env: NodeJS.ProcessEnv }> {
    root = await tempDir('cli-http')
    const media = join(root, 'media')
    await writeLibrary(media, standardLibrary())
    return { media, home: join(root, 'th'), env: cliEnv(root) }
  }

  it('prints web: URL, writes http.url and the token, serves the API, and cleans up on SIGINT', async function () {
    const { media, home, env } = await library()
    const running = spawnCli(['tracker', '--media', media, '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--all-files', '--http', '127.0.0.1:0'], env)
    try {
      const url = await waitFor('the web: line', () => {
        if (running.child.exitCode != null) throw new Error(`the tracker exited: ${running.out.stderr}`)
        return /^web: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(running.out.stdout)?.[1]
      }, 60_000)
      assert.equal((await readFile(join(home, 'http.url'), 'utf8')).trim(), url)
      const token = (await readFile(join(home, 'http-token'), 'utf8')).trim()
      assert.match(token, /^[0-9a-f]{64}$/)
      assert.ok(!running.out.stdout.includes(token), 'the token is not printed')
      const res = await httpRequest(`${url}/api/catalogue`)
      assert.equal(res.status, 200)
      assert.equal((JSON.parse(res.body.toString('utf8')) as { items: unknown[] }).items.length, standardLibrary().length)
    } finally {
      running.child.kill('SIGINT')
    }
    const result = await running.exited
    assert.equal(result.code, 0, result.stderr)
    assert.equal(await exists(join(home, 'http.url')), false, 'http.url is removed')
  })

  it('serves no HTTP without --http', async function () {
    const { media, home, env } = await library()
    const running = spawnCli(['tracker', '--media', media, '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--all-files'], env)
    try {
      await waitFor('the banner', () => running.out.stdout.includes('press Ctrl-C to stop'), 60_000)
      assert.doesNotMatch(running.out.stdout, /^web:/m)
      assert.equal(await exists(join(home, 'http-token')), false)
      assert.equal(await exists(join(home, 'http.url')), false)
    } finally {
      running.child.kill('SIGINT')
      await running.exited
    }
  })

  it('refuses a bad address (exit 2) and a busy port (exit 9) in one sentence', async function () {
    const { media, home, env } = await library()
    for (const bad of ['nonsense', '127.0.0.1:99999', 'example.com:80', '127.0.0.1:']) {
      const result = await runCli(['tracker', '--media', media, '--home', home, '--http', bad], env)
      assertOneLineError(`--http ${bad}`, result, 2, /--http/)
    }
    const busy = createServer()
    busy.listen(0, '127.0.0.1')
    await once(busy, 'listening')
    try {
      const { port } = busy.address() as AddressInfo
      const result = await runCli(['tracker', '--media', media, '--home', home, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', `127.0.0.1:${port}`], env)
      assertOneLineError('a busy --http port', result, 9, /already in use/, /--http/)
    } finally {
      busy.close()
    }
  })
})
