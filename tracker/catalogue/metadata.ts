import { parseFile } from 'music-metadata'
import { MAX_CODECS, MAX_TAG_LENGTH } from './constants.js'
import { videoSize } from './video-size.js'
import type { Logger } from '@libp2p/interface'
import type { IAudioMetadata } from 'music-metadata'

/** Tags and stream facts of an audio or video file; every field is optional but `codecs`. */
export interface MediaMetadata {
  title?: string
  artist?: string
  album?: string
  /** Seconds. */
  duration?: number
  /** Bits per second of the whole file (audio bitrate for audio-only files). */
  bitrate?: number
  codecs: string[]
  width?: number
  height?: number
  /**
   * Whether the tags hold a picture (cover art), read by {@link readCover} when asked for.
   * Undefined in records written before covers were looked for.
   */
  cover?: boolean
}

/**
 * Reads tags, duration, bitrate, codecs and picture size with music-metadata. A file it
 * cannot parse is not an error: it just has no metadata (logged).
 */
export async function readMetadata (path: string, size: number, log: Logger): Promise<MediaMetadata> {
  let parsed: IAudioMetadata
  try {
    // covers are parsed to learn whether there is one, and dropped at once (read on demand)
    parsed = await parseFile(path, { duration: true, skipCovers: false })
  } catch (err) {
    log('no metadata for %s: %e', path, err)
    return { codecs: [], cover: false, ...await videoSize(path) }
  }
  const meta = fromParsed(parsed, size)
  meta.cover = (parsed.common.picture?.length ?? 0) > 0
  // music-metadata leaves the picture size of MP4 and some WebM files out: read it from the boxes
  if (meta.width == null) Object.assign(meta, await videoSize(path))
  return meta
}

/** Largest cover picture served; a bigger one is treated as absent. */
export const MAX_COVER_BYTES = 16 * 1024 * 1024

/** A cover picture from a file's tags. */
export interface Cover {
  data: Uint8Array
  /** An image MIME type (`image/jpeg`...), or application/octet-stream when the tag says otherwise. */
  mime: string
}

/**
 * The first picture in a file's tags (front cover preferred), read now and not kept: covers
 * cost memory only while one is served. Undefined when there is none or it cannot be read.
 */
export async function readCover (path: string, log: Logger): Promise<Cover | undefined> {
  let parsed: IAudioMetadata
  try {
    parsed = await parseFile(path, { duration: false, skipCovers: false, skipPostHeaders: true })
  } catch (err) {
    log('no cover for %s: %e', path, err)
    return undefined
  }
  const pictures = parsed.common.picture ?? []
  const picture = pictures.find(p => /front/i.test(p.type ?? '')) ?? pictures[0]
  if (picture == null || picture.data.byteLength === 0 || picture.data.byteLength > MAX_COVER_BYTES) return undefined
  const format = picture.format.toLowerCase()
  const mime = /^image\/[a-z0-9.+-]{1,40}$/.test(format) ? format : /^(jpe?g|png|gif|webp)$/.test(format) ? `image/${format.replace('jpg', 'jpeg')}` : 'application/octet-stream'
  return { data: picture.data, mime }
}

/** Maps music-metadata's result to ours, dropping empty and nonsensical values. */
export function fromParsed (parsed: IAudioMetadata, size: number): MediaMetadata {
  const { common, format } = parsed
  const meta: MediaMetadata = { codecs: codecsOf(parsed) }
  const title = tag(common.title)
  const artist = tag(common.artist ?? common.albumartist)
  const album = tag(common.album)
  if (title != null) meta.title = title
  if (artist != null) meta.artist = artist
  if (album != null) meta.album = album

  const duration = positive(format.duration)
  if (duration != null) meta.duration = duration
  // For video, music-metadata reports the audio track's bitrate; the whole file's average
  // is what a player's buffer and a download ETA need.
  const average = duration != null && size > 0 ? size * 8 / duration : undefined
  const bitrate = format.hasVideo === true ? average : positive(format.bitrate) ?? average
  if (bitrate != null) meta.bitrate = Math.round(bitrate)

  for (const track of format.trackInfo ?? []) {
    const width = positive(track.video?.displayWidth ?? track.video?.pixelWidth)
    const height = positive(track.video?.displayHeight ?? track.video?.pixelHeight)
    if (width != null && height != null) {
      meta.width = Math.round(width)
      meta.height = Math.round(height)
      break
    }
  }
  return meta
}

/** Unique codec names of the tracks (e.g. `avc1`, `MPEG-4/AAC`), else the format's codec. */
function codecsOf ({ format }: IAudioMetadata): string[] {
  const names = new Set<string>()
  for (const track of format.trackInfo ?? []) {
    const name = codecName(track.codecName)
    if (name != null) names.add(name)
  }
  const main = codecName(format.codec)
  if (main != null) names.add(main)
  return [...names].slice(0, MAX_CODECS)
}

function codecName (name: string | undefined): string | undefined {
  // music-metadata writes unknown MP4 sample entries as `<avc1>`
  const clean = name?.replace(/^<(.*)>$/, '$1').trim()
  return clean == null || clean === '' ? undefined : clean.slice(0, 64)
}

function tag (value: string | undefined): string | undefined {
  const clean = value?.replace(/\0/g, '').trim()
  return clean == null || clean === '' ? undefined : clean.slice(0, MAX_TAG_LENGTH)
}

function positive (value: number | undefined): number | undefined {
  return value != null && Number.isFinite(value) && value > 0 ? value : undefined
}
