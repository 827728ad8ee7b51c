/**
 * The CLI's contract: every command's help and options, the version, the documented exit
 * codes, and the fixed one-sentence messages for the mistakes people make.
 *
 * Exit codes and the tests that reach them: 0 and 2 here; 1 (the home's owner killed under a
 * get), 4 (wrong identity, not a tracker, missing key), 5 (per-peer limit) and 9 (play port)
 * here; 3, 6 in cli.spec; 7 in integration/disk-errors; 8 and 130 in integration/daemon;
 * 9 (busy home or port) in integration/tracker-owner.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { commands } from '../../cli/commands/index.js'
import { EXIT, EXIT_CODES } from '../../cli/errors.js'
import { startCli } from '../fixtures/cli-process.js'
import { assertOneLineError, cliEnv, runCli, spawnCli, startCliTracker } from '../fixtures/cli-run.js'
import { pseudoRandomBytes } from '../fixtures/hosts.js'
import { MiB, removeDir, tempDir, waitFor, writeLibrary } from '../fixtures/network.js'
import type { CliProcess } from '../fixtures/cli-process.js'
import type { CliTracker } from '../fixtures/cli-run.js'
import type { Server } from 'node:net'

const PACKAGE = fileURLToPath(new URL('../../../package.json', import.meta.url))
const LISTEN = ['--listen', '/ip4/127.0.0.1/tcp/0']

describe('cli: the contract of every command', function () {
  this.timeout(120_000)
  let root: string
  let env: NodeJS.ProcessEnv

  before(async function () {
    root = await tempDir('contract')
    env = cliEnv(join(root, 'base'))
  })
  after(async function () { await removeDir(root) })

  it('help CMD and CMD --help print the usage and every option; unknown ones exit 2', async function () {
    for (const c of commands) {
      const [viaHelp, viaFlag] = await Promise.all([runCli(['help', c.name], env), runCli([c.name, '--help'], env)])
      assert.equal(viaHelp.code, 0, `${c.name}: ${viaHelp.stderr}`)
      assert.equal(viaHelp.stdout, viaFlag.stdout, `${c.name}: the same text both ways`)
      assert.match(viaHelp.stdout, new RegExp(`^usage: mediaswarm ${c.name}\\b`))
      for (const [name, o] of Object.entries(c.options)) {
        assert.ok(viaHelp.stdout.includes(`--${name}`), `${c.name} --help lists --${name}`)
        if (o.short != null) assert.ok(viaHelp.stdout.includes(`-${o.short}, --${name}`), `${c.name} --help lists -${o.short}`)
      }
      assertOneLineError(`${c.name} with an unknown option`, await runCli([c.name, '--no-such-flag'], env), EXIT.usage, /no-such-flag/)
    }
    assertOneLineError('help for an unknown command', await runCli(['help', 'frobnicate'], env), EXIT.usage, /frobnicate/)
  })

  it('-V and --version print the package version; the main help lists every command and exit code', async function () {
    const { version } = JSON.parse(await readFile(PACKAGE, 'utf8')) as { version: string }
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag], env)
      assert.equal(r.code, 0)
      assert.equal(r.stdout, `mediaswarm ${version}\n`)
    }
    const help = await runCli(['help'], env)
    assert.equal(help.code, 0)
    for (const c of commands) assert.match(help.stdout, new RegExp(`^  ${c.name} `, 'm'))
    const codes = new Set(Object.values(EXIT))
    assert.deepEqual(new Set(EXIT_CODES.map(([code]) => code)), codes, 'every exit code is documented, and only those')
    for (const [code, meaning] of EXIT_CODES) assert.ok(help.stdout.includes(`${String(code).padStart(3)}  ${meaning}`), `help documents exit code ${code}`)
  })

  it('numbers and rates given wrong are usage errors', async function () {
    assertOneLineError('seed ratio', await runCli(['get', 'x', '--seed-ratio', 'lots'], env), EXIT.usage, /--seed-ratio/)
    assertOneLineError('heap growth', await runCli(['tracker', '--heap-growth', 'lots'], env), EXIT.usage, /--heap-growth/)
    assertOneLineError('seed time', await runCli(['get', 'x', '--seed-time', '-3'], env), EXIT.usage, /--seed-time/)
    assertOneLineError('-o and -d', await runCli(['get', 'x', '-o', 'a.mp4', '-d', 'b'], env), EXIT.usage)
    assertOneLineError('nothing to get', await runCli(['get'], env), EXIT.usage, /--select/)
  })

  describe('with a tracker', function () {
    let tracker: CliTracker | undefined
    let daemon: CliProcess | undefined
    let blocker: Server | undefined

    before(async function () {
      const media = join(root, 'media')
      await writeLibrary(media, [
        { path: 'slow.mp4', data: pseudoRandomBytes(12 * MiB, 31), mime: 'video/mp4' },
        { path: 'other.mp4', data: pseudoRandomBytes(3 * MiB, 32), mime: 'video/mp4' }
      ])
      // slow, and one request per peer: a daemon that asks twice is refused the second time
      tracker = await startCliTracker({ media, home: join(root, 'base', 'tracker'), env, args: ['--max-upload-rate', '256KiB', '--per-peer', '1'] })
    })

    after(async function () {
      blocker?.close()
      await daemon?.stop()
      await tracker?.stop()
    })

    it('a request over the per-peer limit exits 5; killing the home\'s owner under a get exits 1, one sentence each', async function () {
      daemon = startCli(['peer', ...LISTEN, '--json'], env)
      await daemon.jsonLine((v: any): v is object => v?.event === 'sharing', 30_000)
      const first = spawnCli(['get', 'slow.mp4', '-d', join(root, 'out-1')], env)
      await waitFor('the first download to start', () => first.out.stderr.includes('slow.mp4: downloading'), 30_000)
      assertOneLineError('over the per-peer limit', await runCli(['get', 'other.mp4', '-d', join(root, 'out-2')], env), EXIT.refused, /as many requests/)
      daemon.proc.kill('SIGKILL')
      const result = await first.exited
      assertOneLineError('the daemon killed under the get', { ...result, stderr: result.stderr.split('\n').filter(l => !l.includes('waiting in queue') && !l.includes(': downloading')).join('\n') }, EXIT.failure, /stopped/)
    })

    it('the fixed messages: another identity, not a tracker, a missing network key, play\'s port in use', async function () {
      const addr = tracker?.addr ?? ''
      const port = addr.split('/')[4]
      // a valid PeerId that is not the tracker's
      const stranger = '12D3KooWPVBXWTNGCxBJATGJoZnojscC4sLU68AQBngMxgMn6bgD'
      assertOneLineError('wrong identity', await runCli(['ls', '--tracker', `/ip4/127.0.0.1/tcp/${port}/p2p/${stranger}`, '--home', join(root, 'h-wrong')], env), EXIT.unreachable, /answered with another identity/)
      const peer = startCli(['peer', '--home', join(root, 'h-peer'), ...LISTEN, '--json'], env)
      try {
        const sharing = await peer.jsonLine((v: any): v is { addresses: string[] } => v?.event === 'sharing', 30_000)
        const peerAddr = sharing.addresses.find(a => a.startsWith('/ip4/127.0.0.1/')) ?? ''
        assertOneLineError('a peer given as tracker', await runCli(['ls', '--tracker', peerAddr, '--home', join(root, 'h-not-tracker')], env), EXIT.unreachable, /not a tracker/)
      } finally {
        await peer.stop()
      }
      blocker = createServer()
      await new Promise<void>(resolve => blocker?.listen(0, '127.0.0.1', resolve))
      const taken = (blocker.address() as { port: number }).port
      assertOneLineError('play on a taken port', await runCli(['play', 'other.mp4', '--player', 'none', '--port', String(taken), '--home', join(root, 'h-play'), ...LISTEN], env), EXIT.busy, /--port/, new RegExp(String(taken)))
    })

    it('a tracker of a closed network hints at --psk', async function () {
      const key = join(root, 'swarm.key')
      assert.equal((await runCli(['keygen', '-o', key], env)).code, 0)
      const closed = await startCliTracker({ media: join(root, 'media'), home: join(root, 'closed-tracker'), env, args: ['--psk', key] })
      try {
        assertOneLineError('no key', await runCli(['ls', '--tracker', closed.addr, '--home', join(root, 'h-nokey')], env), EXIT.unreachable, /--psk/)
      } finally {
        await closed.stop()
      }
    })
  })
})
