import { once } from 'node:events'
import { createServer } from 'node:http'
import { parseRange } from './range.js'
import { ifNoneMatch } from './conditional.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Largest request head accepted (Node answers 431 beyond). */
const MAX_HEADER_BYTES = 16 * 1024

/** Something the server can stream. */
export interface MediaItem {
  cid: string
  name: string
  size: number
  mime: string
  /** Bytes [start, end) as they become available; stops when the signal aborts. */
  read: (start: number, end: number, signal: AbortSignal) => AsyncIterable<Uint8Array>
}

/** Extra routes (the web page, its JSON API); return false to fall through to 404. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>

/** Options of {@link startMediaServer}. */
export interface MediaServerInit {
  /** Finds the item of a cid (starting its download if needed). */
  open: (cid: string, signal: AbortSignal) => Promise<MediaItem | undefined>
  routes?: RouteHandler
  logger: ComponentLogger
  /** @default '127.0.0.1' */
  host?: string
  /** @default 0 (any free port) */
  port?: number
  /** Open HTTP connections at most; more are refused by the server. @default 256 */
  maxConnections?: number
  /**
   * Media responses streaming at once to one client address; more get 503 with Retry-After,
   * so one address cannot take every reader's share. @default 16
   */
  maxStreamsPerAddress?: number
}

/** A running media server. */
export interface MediaServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string
  /** The URL that streams a cid. */
  urlOf: (cid: string, name: string) => string
  server: Server
  close: () => Promise<void>
}

/** The path that streams a cid: /media/<cid>/<name>. */
export function mediaPath (cid: string, name: string): string {
  return `/media/${cid}/${encodeURIComponent(name)}`
}

/** Default of {@link MediaServerInit.maxStreamsPerAddress}. */
export const DEFAULT_MAX_STREAMS_PER_ADDRESS = 16

async function serveMedia (init: MediaServerInit, log: Logger, req: IncomingMessage, res: ServerResponse, cid: string): Promise<void> {
  const controller = new AbortController()
  // a client that goes away cancels its interest in the pieces it was waiting for
  res.on('close', () => { controller.abort(new Error('Client went away')) })
  const item = await init.open(cid, controller.signal)
  if (item == null) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not in the catalogue\n')
    return
  }
  const headers: Record<string, string | number> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': item.mime,
    ETag: `"${item.cid}"`,
    'Cache-Control': 'no-cache',
    // a library file opened as a page (an SVG, say) runs in no origin and runs no script
    'Content-Security-Policy': 'sandbox',
    'X-Content-Type-Options': 'nosniff'
  }
  if (ifNoneMatch(req, headers.ETag as string)) {
    // the client holds these very bytes: the tag is the content's cid (Range is then moot)
    res.writeHead(304, headers).end()
    return
  }
  const range = parseRange(req.headers.range, item.size)
  if (range.type === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${item.size}` }).end()
    return
  }
  const start = range.type === 'partial' ? range.start : 0
  const end = range.type === 'partial' ? range.end : item.size
  if (range.type === 'partial') headers['Content-Range'] = `bytes ${start}-${end - 1}/${item.size}`
  headers['Content-Length'] = end - start
  res.writeHead(range.type === 'partial' ? 206 : 200, headers)
  if (req.method === 'HEAD' || end === start) {
    res.end()
    return
  }
  try {
    for await (const chunk of item.read(start, end, controller.signal)) {
      if (!res.write(chunk)) await once(res, 'drain', { signal: controller.signal })
    }
    res.end()
  } catch (err) {
    if (!controller.signal.aborted) log.error('streaming %s failed - %e', cid, err)
    res.destroy()
  }
}

/**
 * An HTTP server on loopback that streams media with Range support (200/206/416, HEAD,
 * ETag = cid with 304 on If-None-Match, Content-Type), any number of concurrent readers, each reading through the
 * streaming primitive so playback and seeking decide which pieces come first.
 */
export async function startMediaServer (init: MediaServerInit): Promise<MediaServer> {
  const log = init.logger.forComponent('mediaswarm:http')
  const maxStreams = init.maxStreamsPerAddress ?? DEFAULT_MAX_STREAMS_PER_ADDRESS
  /** Client address -> media responses streaming to it now. */
  const streams = new Map<string, number>()
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad request\n')
      return
    }
    const handle = async (): Promise<void> => {
      const media = /^\/media\/([A-Za-z0-9]+)(?:\/[^/]*)?$/.exec(url.pathname)
      if (media != null) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { Allow: 'GET, HEAD' }).end()
          return
        }
        const address = req.socket.remoteAddress ?? ''
        const streaming = streams.get(address) ?? 0
        if (streaming >= maxStreams) {
          res.writeHead(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }).end('Too many streams from this address\n')
          return
        }
        streams.set(address, streaming + 1)
        try {
          await serveMedia(init, log, req, res, media[1])
        } finally {
          const left = (streams.get(address) ?? 1) - 1
          if (left > 0) streams.set(address, left)
          else streams.delete(address)
        }
        return
      }
      if (init.routes != null && await init.routes(req, res, url)) return
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n')
    }
    handle().catch((err: Error) => {
      log.error('request %s failed - %e', req.url, err)
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`)
      else res.destroy()
    })
  })
  server.maxConnections = init.maxConnections ?? 256
  // a client must send its request head within this time (slowloris)
  server.headersTimeout = 10_000
  server.listen(init.port ?? 0, init.host ?? '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const host = init.host ?? '127.0.0.1'
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    urlOf: (cid, name) => `${url}${mediaPath(cid, name)}`,
    server,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}
