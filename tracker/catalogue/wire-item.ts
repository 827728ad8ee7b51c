import type { CatalogueEntry } from './index.js'
import type { CatalogueItem } from '../../node/protocols/catalogue/pb/catalogue.js'

/**
 * The catalogue protocol's form of an entry: cid as binary, mtime in whole ms, bitrate as an
 * integer, at most 8 codecs (the message's limit).
 */
export function toWireItem (entry: CatalogueEntry): CatalogueItem {
  const item: CatalogueItem = {
    cid: new Uint8Array(entry.cid.bytes),
    path: entry.path,
    size: entry.size,
    mime: entry.mime,
    codecs: entry.codecs.slice(0, 8),
    mtime: Math.floor(entry.mtimeMs)
  }
  if (entry.title != null) item.title = entry.title
  if (entry.artist != null) item.artist = entry.artist
  if (entry.album != null) item.album = entry.album
  if (entry.duration != null) item.duration = entry.duration
  if (entry.bitrate != null) item.bitrate = uint32(entry.bitrate)
  if (entry.width != null) item.width = uint32(entry.width)
  if (entry.height != null) item.height = uint32(entry.height)
  return item
}

function uint32 (value: number): number {
  return Math.min(Math.max(Math.round(value), 0), 0xffffffff)
}
