/** What a browser can do with a catalogue item, from its MIME type. */
export type MediaKind = 'audio' | 'video' | 'image' | 'subtitle' | 'playlist' | 'other'

const SUBTITLES = new Set(['application/x-subrip', 'text/vtt', 'text/x-ssa', 'text/x-microdvd'])
const PLAYLISTS = new Set(['audio/x-mpegurl', 'application/vnd.apple.mpegurl', 'audio/x-scpls', 'application/xspf+xml', 'application/x-cue'])

/**
 * The kind of an item by MIME type: playlists are checked before audio (`audio/x-mpegurl` is
 * a playlist, not sound), subtitles before text.
 */
export function mediaKind (mime: string): MediaKind {
  if (PLAYLISTS.has(mime)) return 'playlist'
  if (SUBTITLES.has(mime)) return 'subtitle'
  if (mime.startsWith('audio/')) return 'audio'
  if (mime.startsWith('video/')) return 'video'
  if (mime.startsWith('image/')) return 'image'
  return 'other'
}
