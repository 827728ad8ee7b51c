import '../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { preSharedKey } from '@libp2p/pnet'
import {
  NETWORK_KEY_HEADER, createHost, generateNetworkKey, readAllowList, readNetworkKey
} from '../../../node/host/index.js'
import { removeDir, tempDir } from '../../fixtures/network.js'

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe('node/host: network key and allow-list files', function () {
  let dir: string
  let n = 0
  /** Writes `content` into a fresh file of the temp folder and returns its path. */
  const file = async (content: string): Promise<string> => {
    const path = join(dir, `file-${n++}`)
    await writeFile(path, content)
    return path
  }

  before(async function () { dir = await tempDir('network-key') })
  after(async function () { await removeDir(dir) })

  describe('generateNetworkKey / readNetworkKey', function () {
    it('writes the swarm.key format and reads it back unchanged', async function () {
      const key = generateNetworkKey()
      assert.match(key, /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
      const psk = await readNetworkKey(await file(key))
      assert.equal(text(psk), key.trimEnd(), 'the canonical form is the file without its final newline')
      assert.notEqual(generateNetworkKey(), key, 'every key is new')
    })

    it('takes its bytes from the randomBytes option', function () {
      const key = generateNetworkKey({ randomBytes: (length) => new Uint8Array(length).fill(0xab) })
      assert.equal(key, `${NETWORK_KEY_HEADER}\n/base16/\n${'ab'.repeat(32)}\n`)
    })

    it('gives a key libp2p pnet accepts, and a host starts with it', async function () {
      const psk = await readNetworkKey(await file(generateNetworkKey()))
      assert.doesNotThrow(() => preSharedKey({ psk })())
      const host = await createHost({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], psk })
      try {
        assert.equal(host.status, 'started')
      } finally {
        await host.stop()
      }
    })

    it('accepts CRLF, no final newline, trailing blank lines and upper-case hex, and normalises them', async function () {
      const hex = '0123456789ABCDEF'.repeat(4)
      const expected = `${NETWORK_KEY_HEADER}\n/base16/\n${hex.toLowerCase()}`
      for (const content of [
        `${NETWORK_KEY_HEADER}\r\n/base16/\r\n${hex}\r\n`,
        `${NETWORK_KEY_HEADER}\n/base16/\n${hex}`,
        `${NETWORK_KEY_HEADER}\n/base16/\n${hex}\n\n\n`
      ]) {
        assert.equal(text(await readNetworkKey(await file(content))), expected, JSON.stringify(content))
      }
    })

    it('rejects malformed files with NetworkKeyError naming the file', async function () {
      const hex = 'ab'.repeat(32)
      const bad: Record<string, string> = {
        empty: '',
        'wrong header': `/key/swarm/psk/2.0.0/\n/base16/\n${hex}\n`,
        'wrong encoding': `${NETWORK_KEY_HEADER}\n/base64/\n${hex}\n`,
        'short key': `${NETWORK_KEY_HEADER}\n/base16/\n${hex.slice(2)}\n`,
        'long key': `${NETWORK_KEY_HEADER}\n/base16/\n${hex}ab\n`,
        'not hex': `${NETWORK_KEY_HEADER}\n/base16/\n${'zz'.repeat(32)}\n`,
        'extra line': `${NETWORK_KEY_HEADER}\n/base16/\n${hex}\nmore\n`,
        'key missing': `${NETWORK_KEY_HEADER}\n/base16/\n`,
        'a PEM file': '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n'
      }
      for (const [what, content] of Object.entries(bad)) {
        const path = await file(content)
        await assert.rejects(readNetworkKey(path), (err: Error) => {
          assert.equal(err.name, 'NetworkKeyError', what)
          assert.ok(err.message.includes(path), `${what}: the message names the file`)
          assert.ok(!err.message.includes('\n'), `${what}: one line`)
          return true
        })
      }
    })

    it('rejects a missing file or a folder with a plain reason', async function () {
      await assert.rejects(readNetworkKey(join(dir, 'no-such.key')), (err: Error) => err.name === 'NetworkKeyError' && /does not exist/.test(err.message))
      const folder = join(dir, 'a-folder')
      await mkdir(folder)
      await assert.rejects(readNetworkKey(folder), (err: Error) => err.name === 'NetworkKeyError' && /folder/.test(err.message))
    })
  })

  describe('readAllowList', function () {
    it('reads one PeerId per line, skipping comments and blank lines, canonical and without duplicates', async function () {
      const a = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const b = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const path = await file([
        '# the tracker',
        `  ${a.toString()}  `,
        '',
        `${b.toCID().toString()} # the same peer in its CIDv1 spelling is canonicalised`,
        b.toString(),
        '   # indented comment',
        ''
      ].join('\r\n'))
      assert.deepEqual(await readAllowList(path), [a.toString(), b.toString()])
    })

    it('names the first bad line', async function () {
      const a = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const path = await file(`# ok\n${a.toString()}\n12D3KooWnotapeerid\n${a.toString()}\n`)
      await assert.rejects(readAllowList(path), (err: Error) => {
        assert.equal(err.name, 'AllowListError')
        assert.match(err.message, /line 3: "12D3KooWnotapeerid" is not a PeerId/)
        assert.ok(err.message.includes(path))
        return true
      })
    })

    it('refuses a list without any PeerId, and a missing file', async function () {
      await assert.rejects(readAllowList(await file('# nobody yet\n\n')), (err: Error) => err.name === 'AllowListError' && /no PeerIds/.test(err.message))
      await assert.rejects(readAllowList(join(dir, 'no-such-list')), (err: Error) => err.name === 'AllowListError' && /does not exist/.test(err.message))
    })
  })
})
