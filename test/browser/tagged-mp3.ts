/**
 * Test media with cover art: a tiny PNG, and an MP3 whose ID3v2.3 tag holds a title, artist,
 * album and that PNG as its front cover (APIC), built from a bundled MP3's audio frames.
 */
import { crc32, deflateSync } from 'node:zlib'

function pngChunk (type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A `size`×`size` opaque PNG of one colour. */
export function solidPng (size: number, rgb: [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())])
  const pixels = Buffer.concat(Array.from({ length: size }, () => row))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(pixels)), pngChunk('IEND', Buffer.alloc(0))
  ])
}

function id3Frame (id: string, data: Buffer): Buffer {
  const head = Buffer.alloc(10)
  head.write(id, 0, 'latin1')
  head.writeUInt32BE(data.length, 4)
  return Buffer.concat([head, data])
}
const text = (id: string, value: string): Buffer => id3Frame(id, Buffer.concat([Buffer.from([0]), Buffer.from(value, 'latin1')]))

/** Tags of {@link taggedMp3}. */
export interface Mp3Tags { title: string, artist: string, album: string, cover: Buffer }

/** `mp3` (any MP3, its own ID3v2 tag dropped) with a new ID3v2.3 tag holding `tags`. */
export function taggedMp3 (mp3: Buffer, tags: Mp3Tags): Buffer {
  let audio = mp3
  if (mp3.subarray(0, 3).toString('latin1') === 'ID3') {
    const size = (mp3[6] << 21) | (mp3[7] << 14) | (mp3[8] << 7) | mp3[9]
    audio = mp3.subarray(10 + size)
  }
  const frames = Buffer.concat([
    text('TIT2', tags.title), text('TPE1', tags.artist), text('TALB', tags.album),
    // encoding, MIME type, picture type 3 (front cover), empty description, the picture
    id3Frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from('image/png\0', 'latin1'), Buffer.from([3, 0]), tags.cover]))
  ])
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (frames.length >> 21) & 0x7f, (frames.length >> 14) & 0x7f, (frames.length >> 7) & 0x7f, frames.length & 0x7f])
  return Buffer.concat([header, frames, audio])
}
