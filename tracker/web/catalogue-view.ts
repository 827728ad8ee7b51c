import { mediaKind } from '../../node/index.js'
import type { MediaKind } from '../../node/index.js'
import type { CatalogueEntry } from '../catalogue/index.js'

/** What a catalogue item is, for the web app. */
export type ItemKind = MediaKind

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

/** The kind of a MIME type (the same rule as the peer's page). */
export const kindOf: (mime: string) => ItemKind = mediaKind

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
