import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ebmlSize, moovSize, videoSize } from '../../../tracker/catalogue/video-size.js'
import { removeDir, tempDir } from '../../fixtures/network.js'

/** The bundled sample video (this file runs from dist/test/tracker/catalogue/). */
const SAMPLE = fileURLToPath(new URL('../../../../media/test-pattern.mp4', import.meta.url))

function box (type: string, ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length, 0)
  head.write(type, 4, 'latin1')
  return Buffer.concat([head, body])
}

function tkhd (version: 0 | 1, width: number, height: number): Buffer {
  const at = version === 1 ? 88 : 76
  const body = Buffer.alloc(at + 8)
  body[0] = version
  body.writeUInt32BE(width * 65536, at)
  body.writeUInt32BE(height * 65536, at + 4)
  return box('tkhd', body)
}

function hdlr (kind: string): Buffer {
  const body = Buffer.alloc(24)
  body.write(kind, 8, 'latin1')
  return box('hdlr', body)
}

/** An EBML element: id bytes, a one-byte size (or unknown), the body. */
function el (id: number[], ...children: Buffer[]): Buffer {
  const body = Buffer.concat(children)
  assert.ok(body.length < 127)
  return Buffer.concat([Buffer.from(id), Buffer.from([0x80 | body.length]), body])
}

function uint (id: number[], value: number): Buffer {
  return el(id, Buffer.from([value >> 8, value & 0xff]))
}

describe('tracker/catalogue: picture size from MP4 boxes and WebM elements', function () {
  let root: string
  before(async function () { root = await tempDir('video-size') })
  after(async function () { await removeDir(root) })

  it('reads the bundled sample MP4', async function () {
    assert.deepEqual(await videoSize(SAMPLE), { width: 320, height: 240 })
  })

  it('takes the first video track (tkhd version 0 or 1), skipping an audio track first', async function () {
    const soundTrak = box('trak', tkhd(0, 0, 0), box('mdia', hdlr('soun')))
    const videoTrak = box('trak', tkhd(1, 1920, 1080), box('mdia', hdlr('vide')))
    const file = Buffer.concat([box('ftyp', Buffer.from('isom0000')), box('mdat', Buffer.alloc(100)), box('moov', box('mvhd', Buffer.alloc(100)), soundTrak, videoTrak)])
    const path = join(root, 'two-tracks.mp4')
    await writeFile(path, file)
    assert.deepEqual(await videoSize(path), { width: 1920, height: 1080 })
    assert.equal(moovSize(box('trak', tkhd(0, 640, 360))), undefined, 'no handler: not known to be video')
  })

  it('reads a WebM track list (Segment of unknown size)', async function () {
    const header = el([0x1a, 0x45, 0xdf, 0xa3], uint([0x42, 0x86], 1))
    const audio = el([0xae], uint([0xd7], 1), el([0xe1], uint([0xb5], 48000)))
    const video = el([0xae], uint([0xd7], 2), el([0xe0], uint([0xb0], 1280), uint([0xba], 720)))
    const tracks = el([0x16, 0x54, 0xae, 0x6b], audio, video)
    const segment = Buffer.concat([Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), el([0x15, 0x49, 0xa9, 0x66], uint([0x2a, 0xd7, 0xb1], 1000)), tracks])
    assert.deepEqual(ebmlSize(Buffer.concat([header, segment])), { width: 1280, height: 720 })
    const path = join(root, 'clip.webm')
    await writeFile(path, Buffer.concat([header, segment]))
    assert.deepEqual(await videoSize(path), { width: 1280, height: 720 })
  })

  it('anything else, truncated or hostile gives no size and never throws', async function () {
    const cases: Record<string, Buffer> = {
      'text.mp4': Buffer.from('not a video at all, just text'),
      'empty.mp4': Buffer.alloc(0),
      'huge-box.mp4': Buffer.concat([box('ftyp', Buffer.from('isom0000')), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x6d, 0x6f, 0x6f, 0x76])]),
      'zero-box.mp4': Buffer.concat([box('ftyp', Buffer.from('isom0000')), Buffer.alloc(16)]),
      'cut.webm': Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42])
    }
    for (const [name, data] of Object.entries(cases)) {
      const path = join(root, name)
      await writeFile(path, data)
      assert.equal(await videoSize(path), undefined, name)
    }
  })
})
