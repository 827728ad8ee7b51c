import { createReadStream } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startMediaServer } from '../../node/index.js'
import { entryUnchanged } from '../catalogue/index.js'
import { baseName } from './catalogue-view.js'
import { EventHub } from './event-hub.js'
import { renderView, trackerRoutes } from './routes.js'
import { loadOrCreateToken } from './token.js'
import type { WebSource } from './types.js'
import type { MediaItem, UploadLimiter } from '../../node/index.js'
import type { ComponentLogger } from '@libp2p/interface'

/** The file in the tracker's home holding the web app's URL while it runs. */
export const HTTP_URL_FILE = 'http.url'

/** Options of {@link startTrackerWeb}. */
export interface TrackerWebInit {
  source: WebSource
  /** The tracker's home: `http-token` and `http.url` live there. */
  home: string
  /** Address to bind, e.g. 127.0.0.1, 0.0.0.0, ::1. */
  host: string
  /** 0 picks a free port. */
  port: number
  logger: ComponentLogger
  /** SSE clients at once. @default 32 */
  maxEventClients?: number
  /** The tracker's upload limiter: library files streamed over HTTP share it with the swarm. */
  limiter?: UploadLimiter
  /** Bytes of a library file sent over HTTP (counted in the tracker's upload). */
  onServed?: (cid: string, bytes: number) => void
}

/** The tracker's running web server. */
export interface TrackerWeb {
  /** e.g. http://127.0.0.1:8080 */
  url: string
  /** The operator's token (also in `<home>/http-token`). */
  token: string
  close: () => Promise<void>
}

/**
 * Starts the tracker's web app and API on `host:port` (see README "Web app and metrics"):
 * library files stream from the media folder with Range support through the peers' media
 * server; the operator's token is created on first start; `http.url` is written once it
 * listens and removed on close.
 */
export async function startTrackerWeb (init: TrackerWebInit): Promise<TrackerWeb> {
  const { source, logger } = init
  const log = logger.forComponent('mediaswarm:tracker:web')
  const token = await loadOrCreateToken(init.home)
  const events = new EventHub({
    render: (view) => renderView(source, view),
    subscribe: (listener) => source.onQueueChange(listener),
    maxClients: init.maxEventClients,
    log
  })
  const open = async (cid: string): Promise<MediaItem | undefined> => {
    const entry = source.catalogue.get(cid)
    if (entry == null) return undefined
    // a file changed since it was hashed is not what its cid names
    if (!(await entryUnchanged(entry))) {
      source.catalogue.rescan().catch((err) => { log('rescan failed: %e', err) })
      return undefined
    }
    return {
      cid: entry.cidString,
      name: baseName(entry.path),
      size: entry.size,
      mime: entry.mime,
      read: (start, end, signal) => metered(createReadStream(entry.absolutePath, { start, end: end - 1, signal, highWaterMark: 256 * 1024 }), signal, entry.cidString)
    }
  }
  /** Each chunk waits for the shared upload limiter, then counts as the tracker's upload. */
  async function * metered (chunks: AsyncIterable<Uint8Array>, signal: AbortSignal, cid: string): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      await init.limiter?.acquire(chunk.byteLength, signal)
      init.onServed?.(cid, chunk.byteLength)
      yield chunk
    }
  }
  const server = await startMediaServer({
    open,
    routes: trackerRoutes({ source, token, events, log }),
    logger,
    host: init.host,
    port: init.port
  })
  const urlFile = join(init.home, HTTP_URL_FILE)
  await writeFile(urlFile, server.url + '\n')
  log('web app on %s', server.url)
  return {
    url: server.url,
    token,
    close: async () => {
      events.close()
      await rm(urlFile, { force: true })
      await server.close()
    }
  }
}
