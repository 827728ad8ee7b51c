import { extname } from 'node:path'

/** MIME type of files whose extension is not in the table. */
export const DEFAULT_MIME = 'application/octet-stream'

/** Extension (lower case, without the dot) to MIME type. */
const MIME_TYPES: ReadonlyMap<string, string> = new Map([
  // audio
  ['mp3', 'audio/mpeg'],
  ['m4a', 'audio/mp4'],
  ['m4b', 'audio/mp4'],
  ['aac', 'audio/aac'],
  ['flac', 'audio/flac'],
  ['ogg', 'audio/ogg'],
  ['oga', 'audio/ogg'],
  ['opus', 'audio/ogg'],
  ['spx', 'audio/ogg'],
  ['wav', 'audio/wav'],
  ['weba', 'audio/webm'],
  ['aif', 'audio/aiff'],
  ['aiff', 'audio/aiff'],
  ['wma', 'audio/x-ms-wma'],
  ['mka', 'audio/x-matroska'],
  ['mid', 'audio/midi'],
  ['midi', 'audio/midi'],
  // video
  ['webm', 'video/webm'],
  ['mp4', 'video/mp4'],
  ['m4v', 'video/mp4'],
  ['mov', 'video/quicktime'],
  ['mkv', 'video/x-matroska'],
  ['avi', 'video/x-msvideo'],
  ['ts', 'video/mp2t'],
  ['m2ts', 'video/mp2t'],
  ['mpg', 'video/mpeg'],
  ['mpeg', 'video/mpeg'],
  ['ogv', 'video/ogg'],
  ['wmv', 'video/x-ms-wmv'],
  ['flv', 'video/x-flv'],
  ['3gp', 'video/3gpp'],
  // images
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
  ['svg', 'image/svg+xml'],
  ['avif', 'image/avif'],
  // text and documents
  ['txt', 'text/plain'],
  ['md', 'text/markdown'],
  ['srt', 'application/x-subrip'],
  ['vtt', 'text/vtt'],
  ['ass', 'text/x-ssa'],
  ['ssa', 'text/x-ssa'],
  ['sub', 'text/x-microdvd'],
  // playlists
  ['m3u', 'audio/x-mpegurl'],
  ['m3u8', 'application/vnd.apple.mpegurl'],
  ['pls', 'audio/x-scpls'],
  ['xspf', 'application/xspf+xml'],
  ['cue', 'application/x-cue'],
  ['json', 'application/json'],
  ['pdf', 'application/pdf'],
  ['zip', 'application/zip']
])

/** The MIME type of a file from its extension; `application/octet-stream` when unknown. */
export function mimeTypeOf (path: string): string {
  const ext = extname(path).slice(1).toLowerCase()
  return MIME_TYPES.get(ext) ?? DEFAULT_MIME
}

/** True for MIME types whose files get tag and duration parsing. */
export function isMediaMime (mime: string): boolean {
  return mime.startsWith('audio/') || mime.startsWith('video/')
}

/** Subtitle and playlist types: media even though they are text. */
const MEDIA_TEXT_TYPES = new Set(['application/x-subrip', 'text/vtt', 'text/x-ssa', 'text/x-microdvd', 'audio/x-mpegurl', 'application/vnd.apple.mpegurl', 'audio/x-scpls', 'application/xspf+xml', 'application/x-cue'])

/** True for media files by extension: audio, video, images, subtitles and playlists (what the tracker serves by default). */
export function isMediaPath (path: string): boolean {
  const mime = mimeTypeOf(path)
  return mime.startsWith('audio/') || mime.startsWith('video/') || mime.startsWith('image/') || MEDIA_TEXT_TYPES.has(mime)
}
