import type { IncomingMessage } from 'node:http'

/**
 * Whether a request's `If-None-Match` names the entity tag `etag` (RFC 9110 §13.1.2): `*`,
 * or a list that holds it, compared weakly (a `W/` prefix on either side is ignored). The
 * tag of a media file is its cid, so a match means the client holds exactly these bytes and
 * gets 304 Not Modified instead of the body. An absent or malformed header never matches.
 */
export function ifNoneMatch (req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match']
  if (header == null || header.length > 8192) return false
  if (header.trim() === '*') return true
  const want = opaque(etag)
  for (const tag of header.split(',')) {
    if (opaque(tag.trim()) === want) return true
  }
  return false
}

/** The quoted part of an entity tag, without any weakness prefix. */
function opaque (tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
