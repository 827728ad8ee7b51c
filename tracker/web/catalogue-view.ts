import type { CatalogueEntry } from '../catalogue/index.js'

/** What a catalogue item is, for the web app. */
export type ItemKind = 'audio' | 'video' | 'image' | 'subtitle' | 'playlist' | 'other'

/** One item of `GET /api/catalogue`. */
export interface CatalogueItemView {
  cid: string
  /** The file's base name. */
  name: string
  size: number
  mime: string
  kind: ItemKind
  title?: string
  artist?: string
  album?: string
  durationSec?: number
  width?: number
  height?: number
  /** `GET /api/cover/<cid>` has a picture. */
  cover: boolean
}

const SUBTITLES = new Set(['application/x-subrip', 'text/vtt', 'text/x-ssa', 'text/x-microdvd'])
const PLAYLISTS = new Set(['audio/x-mpegurl', 'application/vnd.apple.mpegurl', 'audio/x-scpls', 'application/xspf+xml', 'application/x-cue'])

/** The kind of a MIME type: playlists before audio (`audio/x-mpegurl` is a playlist). */
export function kindOf (mime: string): ItemKind {
  if (PLAYLISTS.has(mime)) return 'playlist'
  if (SUBTITLES.has(mime)) return 'subtitle'
  if (mime.startsWith('audio/')) return 'audio'
  if (mime.startsWith('video/')) return 'video'
  if (mime.startsWith('image/')) return 'image'
  return 'other'
}

/** The base name of a library path. */
export function baseName (path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** A catalogue entry as the web app sees it (no paths on disk). */
export function catalogueItemView (entry: CatalogueEntry): CatalogueItemView {
  const view: CatalogueItemView = {
    cid: entry.cidString,
    name: baseName(entry.path),
    size: entry.size,
    mime: entry.mime,
    kind: kindOf(entry.mime),
    cover: entry.cover === true
  }
  if (entry.title != null) view.title = entry.title
  if (entry.artist != null) view.artist = entry.artist
  if (entry.album != null) view.album = entry.album
  if (entry.duration != null) view.durationSec = entry.duration
  if (entry.width != null) view.width = entry.width
  if (entry.height != null) view.height = entry.height
  return view
}
