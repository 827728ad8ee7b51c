/**
 * A tracker started with `encryption: 'noise'` (`tracker --encryption noise`) offers Noise
 * only: a peer, which proposes TLS first, falls back to Noise for its tracker connection and
 * downloads as before. With the default the same peer's connection is TLS (so the check can
 * tell the two apart). And the CLI refuses another value with one sentence and the usage
 * exit code.
 */
import '../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { EXIT } from '../../cli/errors.js'
import { exportFile, hashFile } from '../../node/index.js'
import { assertOneLineError, cliEnv, runCli } from '../fixtures/cli-run.js'
import { removeDir, sha256, sha256File, startNetwork, tempDir, within } from '../fixtures/network.js'
import type { TestNetwork } from '../fixtures/network.js'
import type { TrackerEncryption } from '../../tracker/index.js'

/** Starts a network whose tracker uses `encryption`, downloads big.mp4 on one peer, and returns the encryption of the peer's connections to the tracker. */
async function downloadThrough (encryption: TrackerEncryption | undefined, label: string, nets: TestNetwork[]): Promise<string[]> {
  const net = await startNetwork({ label, peerCount: 1, tracker: encryption != null ? { encryption } : {} })
  nets.push(net)
  const peer = net.peers[0]
  const source = net.files.find(f => f.path === 'big.mp4')
  assert.ok(source != null)
  const cid = (await hashFile(join(net.mediaDir, 'big.mp4'))).cid
  const result = await within('the download', 30_000, peer.download(cid))
  assert.equal(result.file.complete, true)
  const out = join(net.root, 'out', 'big.mp4')
  await exportFile(result.file, out)
  assert.equal(await sha256File(out), sha256(source.data), 'byte-identical')
  const connections = peer.host.getConnections(net.tracker.host.peerId)
  assert.ok(connections.length > 0, 'the peer is connected to the tracker')
  return connections.map(c => c.encryption ?? '')
}

describe('integration: the tracker\'s encryption', function () {
  this.timeout(60_000)
  const nets: TestNetwork[] = []

  afterEach(async function () {
    await Promise.all(nets.splice(0).map(async n => n.stop()))
  })

  it('with noise, a TLS-first peer connects over Noise and downloads the file whole', async function () {
    const encryptions = await downloadThrough('noise', 'tracker-noise', nets)
    assert.deepEqual([...new Set(encryptions)], ['/noise'])
  })

  it('by default, the same peer connects over TLS', async function () {
    const encryptions = await downloadThrough(undefined, 'tracker-tls', nets)
    assert.deepEqual([...new Set(encryptions)], ['/tls/1.0.0'])
  })

  it('tracker --encryption refuses anything but tls or noise', async function () {
    const root = await tempDir('tracker-encryption-cli')
    try {
      await mkdir(join(root, 'media'))
      const result = await runCli(['tracker', '--media', join(root, 'media'), '--home', join(root, 'tracker'), '--listen', '/ip4/127.0.0.1/tcp/0', '--encryption', 'rsa'], cliEnv(root))
      assertOneLineError('tracker --encryption rsa', result, EXIT.usage, /tls or noise, not rsa/)
    } finally {
      await removeDir(root)
    }
  })
})
