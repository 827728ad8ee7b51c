import { CID } from 'multiformats/cid'
import { WEB_PAGE } from './web-page.js'
import type { RouteHandler } from './media-server.js'
import type { Peer } from '../peer/index.js'
import type { ServerResponse } from 'node:http'

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body))
}

/**
 * The web player's routes: the page itself, the catalogue as JSON, and each fetch's queue
 * position and progress. Media bytes come from the media server's /media/ route.
 */
export function webApp (peer: Peer): RouteHandler {
  return async (req, res, url) => {
    if (req.method !== 'GET') return false
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(WEB_PAGE)
      return true
    }
    if (url.pathname === '/api/catalogue') {
      const items = await peer.list(url.searchParams.get('q') ?? undefined)
      json(res, 200, items.map(i => ({
        cid: CID.decode(i.cid).toString(),
        name: i.path.split('/').pop() ?? i.path,
        path: i.path,
        size: i.size,
        mime: i.mime,
        title: i.title,
        artist: i.artist,
        duration: i.duration
      })))
      return true
    }
    const status = /^\/api\/status\/([A-Za-z0-9]+)$/.exec(url.pathname)
    if (status != null) {
      const fetch = peer.fetchOf(status[1])
      if (fetch == null) {
        json(res, 200, { phase: 'idle' })
        return true
      }
      const state = fetch.state
      json(res, 200, {
        phase: state.phase,
        position: state.position?.position,
        waiting: state.position?.waiting,
        etaMs: state.position?.etaMs,
        error: state.error,
        have: fetch.file.bytesHave,
        size: fetch.file.info.manifest.size
      })
      return true
    }
    return false
  }
}
