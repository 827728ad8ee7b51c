import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { Peer, exportFile, generateNetworkKey, hashFile, loadOrCreateIdentity } from '../../node/index.js'
import { Tracker } from '../../tracker/index.js'
import { CLI_MAIN, startCli } from '../fixtures/cli-process.js'
import { removeDir, sha256, sha256File, standardLibrary, tempDir, waitFor, within, writeLibrary } from '../fixtures/network.js'
import type { PeerInit } from '../../node/index.js'
import type { TrackerInit } from '../../tracker/index.js'
import type { CliProcess } from '../fixtures/cli-process.js'

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
/** A network key in the form readNetworkKey returns (the file without its final newline). */
const newKey = (): Uint8Array => encode(generateNetworkKey().trimEnd())

interface Result { code: number | null, stdout: string, stderr: string }

/** Runs the compiled CLI to completion; kills it (by its own pid) past the deadline. */
async function runCli (args: string[], env: NodeJS.ProcessEnv, timeoutMs = 40_000): Promise<Result> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const exited = new Promise<Result>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => { resolve({ code, stdout, stderr }) })
  })
  try {
    return await within(`mediaswarm ${args.join(' ')}`, timeoutMs, exited)
  } finally {
    if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
  }
}

function assertOneLineError (what: string, result: Result, code: number): string {
  assert.equal(result.code, code, `${what}: exit code (stderr: ${result.stderr})`)
  const lines = result.stderr.split('\n').filter(l => l !== '')
  assert.equal(lines.length, 1, `${what}: exactly one line on stderr, got:\n${result.stderr}`)
  assert.ok(lines[0].length > 10 && /[.!?]$/.test(lines[0]), `${what}: a sentence, got ${lines[0]}`)
  return lines[0]
}

describe('integration: closed networks (network key, allow-list)', function () {
  const files = standardLibrary()
  const big = files[0]
  let root: string
  let mediaDir: string
  let bigCid: CID
  let running: Array<{ stop: () => Promise<void> }> = []
  let n = 0

  before(async function () {
    root = await tempDir('closed-network')
    mediaDir = join(root, 'media')
    await mkdir(mediaDir)
    await writeLibrary(mediaDir, files)
    bigCid = (await hashFile(join(mediaDir, big.path))).cid
  })

  afterEach(async function () {
    // peers first, so they say goodbye to a tracker that is still there
    for (const r of running.reverse()) await r.stop().catch(() => {})
    running = []
  })

  after(async function () {
    await removeDir(root)
  })

  async function startTracker (init: Partial<TrackerInit>): Promise<Tracker> {
    const tracker = await Tracker.create({ home: join(root, `tracker-${n++}`), mediaDir, listen: ['/ip4/127.0.0.1/tcp/0'], watch: false, ...init })
    running.push(tracker)
    return tracker
  }

  async function startPeer (tracker: Tracker, init: Partial<PeerInit> = {}, home = join(root, `peer-${n++}`)): Promise<Peer> {
    const peer = await Peer.create({ home, tracker: tracker.addresses.map(a => multiaddr(a)), ...init })
    running.push(peer)
    return peer
  }

  /** The peer downloads big.mp4 and exports a byte-identical copy. */
  async function assertDownloads (peer: Peer): Promise<void> {
    const items = await peer.list()
    assert.deepEqual(items.map(i => i.path).sort(), files.map(f => f.path).sort())
    const result = await within('the download', 45_000, peer.download(bigCid))
    const out = join(root, `out-${n++}`, 'big.mp4')
    await exportFile(result.file, out)
    assert.equal(await sha256File(out), sha256(big.data))
  }

  /**
   * The peer cannot use the tracker: listing and downloading fail (with `name` when given),
   * its store stays empty, the tracker served nothing and holds no connection with it.
   */
  async function assertShutOut (tracker: Tracker, peer: Peer, name?: string): Promise<void> {
    const served = tracker.stats.totalServedByTracker
    const check = (what: string) => (err: Error): boolean => {
      if (name != null) assert.equal(err.name, name, `${what}: ${err.message}`)
      return true
    }
    await within('the refused listing', 30_000, assert.rejects(peer.list(), check('list')))
    await within('the refused download', 30_000, assert.rejects(peer.download(bigCid), check('download')))
    assert.deepEqual(await peer.store.openAll(), [], 'nothing reached the store')
    assert.equal(tracker.stats.totalServedByTracker, served, 'the tracker served nothing')
    assert.equal(tracker.host.getConnections(peer.peerId).length, 0, 'the tracker keeps no connection with it')
  }

  describe('a tracker with a network key', function () {
    it('a peer with the same key lists and downloads', async function () {
      const psk = newKey()
      const tracker = await startTracker({ psk })
      await assertDownloads(await startPeer(tracker, { psk }))
    })

    it('a peer with another key, or none, cannot connect (TrackerUnreachableError) and gets no data', async function () {
      const tracker = await startTracker({ psk: newKey() })
      await assertShutOut(tracker, await startPeer(tracker, { psk: newKey() }), 'TrackerUnreachableError')
      await assertShutOut(tracker, await startPeer(tracker), 'TrackerUnreachableError')
    })

    it('a peer with a key cannot join an open tracker either', async function () {
      const tracker = await startTracker({})
      await assertShutOut(tracker, await startPeer(tracker, { psk: newKey() }), 'TrackerUnreachableError')
    })
  })

  describe('a tracker with an allow-list', function () {
    it('an allowed peer downloads; a stranger is refused and gets no data', async function () {
      const home = join(root, `allowed-${n++}`)
      const allowed = peerIdFromPrivateKey(await loadOrCreateIdentity(home))
      const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const tracker = await startTracker({ allow: [other.toString(), allowed.toString()] })
      // its own list names only the tracker: both ends gate the connection
      await assertDownloads(await startPeer(tracker, { allow: [tracker.host.peerId.toString()] }, home))
      // the stranger completes its side of the handshake before the tracker checks it, so it
      // learns of the refusal from its first request rather than from the dial
      await assertShutOut(tracker, await startPeer(tracker))
    })

    it('a peer whose own allow-list lacks the tracker does not dial it', async function () {
      const tracker = await startTracker({})
      const someoneElse = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      await assertShutOut(tracker, await startPeer(tracker, { allow: [someoneElse] }), 'TrackerUnreachableError')
    })
  })

  describe('the CLI', function () {
    let cliTracker: CliProcess | undefined

    after(async function () {
      await cliTracker?.stop()
    })

    it('keygen writes a 0600 key; ls --psk works against a tracker with that key, ls without it fails with one line', async function () {
      const dir = join(root, `cli-${n++}`)
      await mkdir(dir)
      const env: NodeJS.ProcessEnv = { ...process.env, MEDIASWARM_HOME: join(dir, 'home') }
      for (const name of ['DEBUG', 'MEDIASWARM_TRACKER', 'MEDIASWARM_PSK', 'MEDIASWARM_ALLOW']) delete env[name]
      const keyFile = join(dir, 'swarm.key')

      const made = await runCli(['keygen', '-o', keyFile, '--json'], env)
      assert.equal(made.code, 0, made.stderr)
      assert.deepEqual(JSON.parse(made.stdout), { path: keyFile })
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600)
      const key = await readFile(keyFile, 'utf8')
      assert.match(key, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
      assertOneLineError('keygen over an existing key', await runCli(['keygen', '-o', keyFile], env), 6)
      assert.equal(await readFile(keyFile, 'utf8'), key, 'the existing key is untouched')

      const trackerHome = join(dir, 'tracker')
      const started = startCli(['tracker', '--media', mediaDir, '--all-files', '--home', trackerHome, '--listen', '/ip4/127.0.0.1/tcp/0', '--psk', keyFile], env)
      cliTracker = started
      const addrs = await waitFor('the CLI tracker\'s tracker.addr', async () => {
        if (started.proc.exitCode != null) throw new Error(`the tracker exited early: ${started.stderrTail()}`)
        return readFile(join(trackerHome, 'tracker.addr'), 'utf8').catch(() => undefined)
      }, 30_000)
      const addr = addrs.split('\n').find(a => a.startsWith('/ip4/127.0.0.1/')) ?? ''

      const listed = await runCli(['ls', '--tracker', addr, '--psk', keyFile, '--home', join(dir, 'peer'), '--json'], env)
      assert.equal(listed.code, 0, listed.stderr)
      assert.deepEqual((JSON.parse(listed.stdout) as Array<{ path: string }>).map(i => i.path).sort(), files.map(f => f.path).sort())
      const fromEnv = await runCli(['ls', '--tracker', addr, '--home', join(dir, 'peer'), '--json'], { ...env, MEDIASWARM_PSK: keyFile })
      assert.equal(fromEnv.code, 0, `$MEDIASWARM_PSK: ${fromEnv.stderr}`)

      assertOneLineError('ls without the key', await runCli(['ls', '--tracker', addr, '--home', join(dir, 'peer')], env), 4)
      const otherKey = join(dir, 'other.key')
      assert.equal((await runCli(['keygen', '-o', otherKey], env)).code, 0)
      const line = assertOneLineError('ls with another key', await runCli(['ls', '--tracker', addr, '--psk', otherKey, '--home', join(dir, 'peer')], env), 4)
      assert.match(line, /network key may differ/)
      assert.ok(line.includes(otherKey), 'the message names the key file')
    })
  })
})
