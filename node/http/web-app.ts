import { CID } from 'multiformats/cid'
import { mediaKind } from './media-kind.js'
import { WEB_PAGE } from './web-page.js'
import type { RouteHandler } from './media-server.js'
import type { Peer } from '../peer/index.js'
import type { ServerResponse } from 'node:http'

/** How far back the upload rate of /api/peer looks. */
const RATE_WINDOW_MS = 5_000

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body))
}

/** Upload rate over the last few seconds, from the peer's byte counter sampled per request. */
function uploadRate (): (bytes: number, now: number) => number {
  let samples: Array<{ t: number, bytes: number }> = []
  return (bytes, now) => {
    samples.push({ t: now, bytes })
    // keep one sample older than the window, so the rate spans it even with rare requests
    while (samples.length > 2 && samples[1].t <= now - RATE_WINDOW_MS) samples = samples.slice(1)
    if (samples.length > 64) samples = samples.slice(-64)
    const first = samples[0]
    const ms = now - first.t
    return ms > 0 ? Math.round((bytes - first.bytes) * 1000 / ms) : 0
  }
}

/**
 * The web player's routes: the page itself, the catalogue as JSON, each fetch's queue
 * position and progress, and what this peer shares (/api/peer). Media bytes come from the
 * media server's /media/ route.
 */
export function webApp (peer: Peer): RouteHandler {
  const rate = uploadRate()
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
        kind: mediaKind(i.mime),
        title: i.title,
        artist: i.artist,
        album: i.album,
        duration: i.duration,
        width: i.width,
        height: i.height
      })))
      return true
    }
    if (url.pathname === '/api/peer') {
      const tracker = peer.tracker?.toString()
      const seen = new Set<string>()
      const peers: Array<{ peer: string, address: string, direction: string, relayed: boolean }> = []
      for (const c of peer.host.getConnections()) {
        const id = c.remotePeer.toString()
        if (id === tracker || seen.has(id)) continue
        seen.add(id)
        peers.push({ peer: id, address: c.remoteAddr.toString(), direction: c.direction, relayed: c.limits != null })
      }
      json(res, 200, {
        peerId: peer.peerId.toString(),
        tracker: tracker ?? null,
        trackerConnected: tracker != null && peer.host.getConnections().some(c => c.remotePeer.toString() === tracker),
        sharing: peer.sharing,
        serving: peer.serving,
        uploadedBytes: peer.uploadedBytes,
        uploadRate: rate(peer.uploadedBytes, Date.now()),
        peers
      })
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
