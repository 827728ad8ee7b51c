import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'

/** Largest `moov` box read (the index of a very long film is a few MiB). */
const MAX_MOOV_BYTES = 32 * 1024 * 1024
/** Top-level boxes looked at before giving up. */
const MAX_TOP_BOXES = 64
/** Largest WebM head read for the track list. */
const MAX_WEBM_HEAD_BYTES = 1024 * 1024

/** A picture size. */
export interface VideoSize {
  width: number
  height: number
}

/**
 * The picture size of an MP4/MOV (ISO-BMFF: the `tkhd` of the first video track in `moov`)
 * or WebM/Matroska (EBML: `PixelWidth`/`PixelHeight` of the first video track), read from the
 * file's boxes or elements only; undefined when the file is not one of those or is malformed.
 */
export async function videoSize (path: string): Promise<VideoSize | undefined> {
  let handle: FileHandle | undefined
  try {
    handle = await open(path, 'r')
    const head = Buffer.alloc(8)
    const { bytesRead } = await handle.read(head, 0, 8, 0)
    if (bytesRead < 8) return undefined
    if (head.readUInt32BE(0) === 0x1a45dfa3) return await webmSize(handle)
    return await mp4Size(handle)
  } catch {
    return undefined
  } finally {
    await handle?.close()
  }
}

/** Walks the top-level boxes to `moov` and reads it. */
async function mp4Size (handle: FileHandle): Promise<VideoSize | undefined> {
  const { size: fileSize } = await handle.stat()
  let offset = 0
  const header = Buffer.alloc(16)
  for (let i = 0; i < MAX_TOP_BOXES && offset + 8 <= fileSize; i++) {
    await handle.read(header, 0, 16, offset)
    let size = header.readUInt32BE(0)
    const type = header.toString('latin1', 4, 8)
    let headerSize = 8
    if (size === 1) { size = Number(header.readBigUInt64BE(8)); headerSize = 16 } else if (size === 0) size = fileSize - offset
    if (size < headerSize) return undefined
    if (i === 0 && type !== 'ftyp') return undefined
    if (type === 'moov') {
      const length = size - headerSize
      if (length > MAX_MOOV_BYTES) return undefined
      const moov = Buffer.alloc(length)
      await handle.read(moov, 0, length, offset + headerSize)
      return moovSize(moov)
    }
    offset += size
  }
  return undefined
}

/** The child boxes of a container's payload. */
function * boxes (buf: Buffer): Generator<{ type: string, body: Buffer }> {
  let at = 0
  while (at + 8 <= buf.length) {
    let size = buf.readUInt32BE(at)
    let headerSize = 8
    if (size === 1) {
      if (at + 16 > buf.length) return
      size = Number(buf.readBigUInt64BE(at + 8))
      headerSize = 16
    } else if (size === 0) size = buf.length - at
    if (size < headerSize || at + size > buf.length) return
    yield { type: buf.toString('latin1', at + 4, at + 8), body: buf.subarray(at + headerSize, at + size) }
    at += size
  }
}

function child (buf: Buffer, type: string): Buffer | undefined {
  for (const b of boxes(buf)) if (b.type === type) return b.body
  return undefined
}

/** The width and height in the `tkhd` of the first `trak` whose handler is `vide`. */
export function moovSize (moov: Buffer): VideoSize | undefined {
  for (const trak of boxes(moov)) {
    if (trak.type !== 'trak') continue
    const hdlr = child(child(trak.body, 'mdia') ?? Buffer.alloc(0), 'hdlr')
    // full box: version+flags (4), pre_defined (4), handler_type (4)
    if (hdlr == null || hdlr.length < 12 || hdlr.toString('latin1', 8, 12) !== 'vide') continue
    const tkhd = child(trak.body, 'tkhd')
    if (tkhd == null || tkhd.length < 4) continue
    const at = tkhd[0] === 1 ? 88 : 76
    if (tkhd.length < at + 8) continue
    // 16.16 fixed point
    const width = Math.round(tkhd.readUInt32BE(at) / 65536)
    const height = Math.round(tkhd.readUInt32BE(at + 4) / 65536)
    if (width > 0 && height > 0) return { width, height }
  }
  return undefined
}

/** An EBML variable-length integer at `at`: its value and length (marker bit removed for sizes). */
function vint (buf: Buffer, at: number, keepMarker: boolean): { value: number, length: number } | undefined {
  if (at >= buf.length) return undefined
  const first = buf[at]
  let length = 1
  while (length <= 8 && (first & (0x80 >> (length - 1))) === 0) length++
  if (length > 8 || at + length > buf.length) return undefined
  let value = keepMarker ? first : first & (0xff >> length)
  for (let i = 1; i < length; i++) value = value * 256 + buf[at + i]
  // all ones: unknown size (a live stream's segment)
  const unknown = !keepMarker && value === 2 ** (7 * length) - 1
  return { value: unknown ? Number.POSITIVE_INFINITY : value, length }
}

const SEGMENT = 0x18538067
const TRACKS = 0x1654ae6b
const TRACK_ENTRY = 0xae
const VIDEO = 0xe0
const PIXEL_WIDTH = 0xb0
const PIXEL_HEIGHT = 0xba

/** Reads the head of a WebM file and walks Segment > Tracks > TrackEntry > Video. */
async function webmSize (handle: FileHandle): Promise<VideoSize | undefined> {
  const { size } = await handle.stat()
  const buf = Buffer.alloc(Math.min(size, MAX_WEBM_HEAD_BYTES))
  await handle.read(buf, 0, buf.length, 0)
  return ebmlSize(buf)
}

/** The first video track's pixel size in an EBML buffer (the start of a WebM file). */
export function ebmlSize (buf: Buffer): VideoSize | undefined {
  const find = (start: number, end: number, wanted: number[]): VideoSize | undefined => {
    let at = start
    let width: number | undefined
    let height: number | undefined
    while (at < end) {
      const id = vint(buf, at, true)
      if (id == null) return undefined
      const len = vint(buf, at + id.length, false)
      if (len == null) return undefined
      const bodyStart = at + id.length + len.length
      const bodyEnd = Math.min(end, bodyStart + len.value)
      if (id.value === PIXEL_WIDTH || id.value === PIXEL_HEIGHT) {
        let v = 0
        for (let i = bodyStart; i < bodyEnd; i++) v = v * 256 + buf[i]
        if (id.value === PIXEL_WIDTH) width = v; else height = v
        if (width != null && height != null) return width > 0 && height > 0 ? { width, height } : undefined
      } else if (wanted.includes(id.value)) {
        const found = find(bodyStart, bodyEnd, wanted)
        if (found != null) return found
      }
      if (!Number.isFinite(len.value)) at = bodyStart
      else at = bodyStart + len.value
    }
    return undefined
  }
  // the EBML header first, then the segment
  const header = vint(buf, 0, true)
  const headerLen = header == null ? undefined : vint(buf, header.length, false)
  if (header == null || headerLen == null) return undefined
  const segmentAt = header.length + headerLen.length + headerLen.value
  return find(segmentAt, buf.length, [SEGMENT, TRACKS, TRACK_ENTRY, VIDEO])
}
