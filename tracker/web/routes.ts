import { APP_CSS, APP_HTML, APP_JS } from './app/index.js'
import { catalogueItemView } from './catalogue-view.js'
import { DEFAULT_DASHBOARD_HISTORY, buildDashboard } from './dashboard.js'
import { tokenMatches, tokenOf } from './token.js'
import { readCover } from '../catalogue/index.js'
import { ifNoneMatch } from '../../node/http/conditional.js'
import type { EventHub } from './event-hub.js'
import type { WebSource } from './types.js'
import type { RouteHandler } from '../../node/index.js'
import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Items in one catalogue answer, at most. */
export const MAX_CATALOGUE_ITEMS = 10_000
/** Covers read at once; more requests are answered 503 (each read parses a file's tags). */
const MAX_COVER_READS = 2

/**
 * The page may load its own script, style, media and covers, and talk to its own API;
 * nothing else. It cannot be framed, and never sends its URL (which may hold the token) as
 * a referrer.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}
const API_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' }

function send (res: ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, ...API_HEADERS, ...headers }).end(body)
}

function json (res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body))
}

function error (res: ServerResponse, status: number, message: string): void {
  json(res, status, { error: message })
}

/** What the routes need besides the tracker. */
export interface RoutesInit {
  source: WebSource
  token: string
  events: EventHub
  log: Logger
}

/** `?history=N`: samples wanted, within what the history holds. */
export function historyLimit (url: URL, capacity: number): number {
  const raw = url.searchParams.get('history')
  if (raw == null || !/^\d{1,7}$/.test(raw)) return Math.min(DEFAULT_DASHBOARD_HISTORY, capacity)
  return Math.min(Number(raw), capacity)
}

/** The view key of an SSE client: `operator|public:history`. */
export function viewKey (operator: boolean, history: number): string {
  return `${operator ? 'operator' : 'public'}:${history}`
}

/** Renders a view key's dashboard as JSON. */
export function renderView (source: WebSource, view: string): string {
  const [who, history] = view.split(':')
  return JSON.stringify(buildDashboard(source, who === 'operator', Number(history)))
}

/**
 * The tracker's web routes (media streaming is the media server's own /media/ route): the
 * app, the catalogue, covers, the dashboard and its event stream, and Prometheus metrics.
 */
export function trackerRoutes (init: RoutesInit): RouteHandler {
  const { source, token, events, log } = init
  let coverReads = 0
  /** Whether the request is the operator's; undefined when it carries a wrong token. */
  const operatorOf = (req: IncomingMessage, url: URL): boolean | undefined => {
    const given = tokenOf(req, url)
    if (given == null) return false
    return tokenMatches(token, given) ? true : undefined
  }
  const pages: Record<string, [string, string]> = {
    '/': ['text/html; charset=utf-8', APP_HTML],
    '/index.html': ['text/html; charset=utf-8', APP_HTML],
    '/app.js': ['text/javascript; charset=utf-8', APP_JS],
    '/app.css': ['text/css; charset=utf-8', APP_CSS]
  }
  const known = /^\/(?:$|index\.html$|app\.(?:js|css)$|metrics$|api\/)/
  return async (req, res, url) => {
    const path = url.pathname
    if (!known.test(path)) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...API_HEADERS }).end()
      return true
    }
    const page = pages[path]
    if (page != null) {
      send(res, 200, page[0], page[1], PAGE_HEADERS)
      return true
    }
    if (path === '/api/catalogue') {
      const q = url.searchParams.get('q') ?? undefined
      const { items, total } = source.catalogue.list(q?.slice(0, 256), 0, MAX_CATALOGUE_ITEMS)
      json(res, 200, { items: items.map(catalogueItemView), total })
      return true
    }
    const cover = /^\/api\/cover\/([A-Za-z0-9]{1,128})$/.exec(path)
    if (cover != null) {
      const entry = source.catalogue.get(cover[1])
      if (entry?.cover !== true) {
        error(res, 404, 'No cover for this cid')
        return true
      }
      const etag = `"${entry.cidString}"`
      if (ifNoneMatch(req, etag)) {
        // a cover is part of the file, so the file's cid names it: no read, no bytes
        res.writeHead(304, { ...API_HEADERS, 'Cache-Control': 'max-age=3600', ETag: etag }).end()
        return true
      }
      if (coverReads >= MAX_COVER_READS) {
        send(res, 503, 'text/plain', 'Busy reading covers\n', { 'Retry-After': '1' })
        return true
      }
      coverReads++
      try {
        const picture = await readCover(entry.absolutePath, log)
        if (picture == null) error(res, 404, 'No cover for this cid')
        else send(res, 200, picture.mime, picture.data, { 'Cache-Control': 'max-age=3600', ETag: etag, 'Content-Security-Policy': 'sandbox' })
      } finally {
        coverReads--
      }
      return true
    }
    if (path === '/api/dashboard' || path === '/api/events') {
      const operator = operatorOf(req, url)
      if (operator == null) {
        error(res, 403, 'Wrong operator token')
        return true
      }
      const history = historyLimit(url, source.history.capacity)
      if (path === '/api/dashboard') json(res, 200, buildDashboard(source, operator, history))
      else if (req.method === 'HEAD') res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', ...API_HEADERS }).end()
      else events.add(req, res, viewKey(operator, history))
      return true
    }
    if (path === '/metrics') {
      send(res, 200, source.metrics.contentType, await source.metrics.text())
      return true
    }
    return false
  }
}
