import { chmod, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { CID } from 'multiformats/cid'
import { FileExistsError } from '../errors.js'
import { exportFile } from '../peer/index.js'
import { LineReader } from './lines.js'
import { PieceBatch } from './piece-batch.js'
import { MAX_REQUEST_BYTES, decodeLine, encodeLine, errorToWire, pieceIntervalOf } from './protocol.js'
import type { ControlEvent, ControlGetResult, ControlHello, ControlRequest } from './protocol.js'
import type { Peer, PeerDownloadEvent } from '../peer/index.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { Server, Socket } from 'node:net'

/** How long a client has to send its request line. */
const REQUEST_TIMEOUT_MS = 10_000

/** Options of {@link ControlServer}. */
export interface ControlServerInit {
  /** The Unix socket to listen on (inside the home: its folder's permissions guard it). */
  socketPath: string
  /** The peer requests run on; the server may listen before it is ready. */
  peer: Promise<Peer>
  /** What this owner is ('peer' for the daemon, or the command that owns the home). */
  role: string
  /** The web player's base URL, when one runs. */
  web?: () => string | undefined
  /** The tracker addresses the owner was started with (told to clients in hello). */
  tracker?: Promise<string[]>
  logger: ComponentLogger
}

/** A download shared by every client asking for the same cid; cancelled when the last one leaves. */
interface SharedDownload {
  controller: AbortController
  clients: number
}

/**
 * The home owner's local control channel: short commands (`get`, `ls`, `status`, `play`)
 * run their work in the owner's node through it instead of starting a second node on the
 * same identity. Downloads run in the owner, which shares them at once; a client that
 * disconnects before its download is written cancels it (unless another client wants it).
 */
export class ControlServer {
  readonly #init: ControlServerInit
  readonly #log: Logger
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  readonly #downloads = new Map<string, SharedDownload>()
  readonly #exports = new Map<string, Promise<void>>()
  #idle: Array<() => void> = []
  /** Connections accepted, and hellos answered, since start. */
  #accepted = 0
  #hellos = 0

  constructor (init: ControlServerInit) {
    this.#init = init
    this.#log = init.logger.forComponent('mediaswarm:daemon')
    this.#server = createServer({ allowHalfOpen: false }, (socket) => { this.#accept(socket) })
    init.peer.catch(() => {}) // each request reports the failure
  }

  /** Listens on the socket; a socket file left by a dead owner is replaced (the caller holds the home's lock). */
  async start (): Promise<void> {
    await rm(this.#init.socketPath, { force: true })
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen({ path: this.#init.socketPath, readableAll: false, writableAll: false }, () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
    // connecting needs write permission on the socket: the owner's user only, whatever the umask
    await chmod(this.#init.socketPath, 0o600)
  }

  /** Clients connected now. */
  get clients (): number {
    return this.#sockets.size
  }

  /** Resolves once no client is connected. */
  async idle (): Promise<void> {
    if (this.#sockets.size === 0) return
    await new Promise<void>(resolve => { this.#idle.push(resolve) })
  }

  /**
   * Resolves once no client is connected and none connected for `graceMs`, when another
   * command has said hello (more than `ownHellos`). A client opens one connection per
   * request, so between two requests (its hello and its `get`, say) it holds none: an owner
   * that stopped at the first idle moment left it with "stopped before answering".
   */
  async settled (graceMs: number, ownHellos = 1): Promise<void> {
    for (;;) {
      await this.idle()
      if (this.#hellos <= ownHellos) return
      const accepted = this.#accepted
      await new Promise<void>(resolve => { setTimeout(resolve, graceMs).unref() })
      if (this.#sockets.size === 0 && this.#accepted === accepted) return
    }
  }

  /** Stops listening, ends every client connection, removes the socket file. */
  async stop (): Promise<void> {
    for (const d of this.#downloads.values()) d.controller.abort(new Error('The home owner is stopping'))
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>(resolve => { this.#server.close(() => { resolve() }) })
    await rm(this.#init.socketPath, { force: true })
  }

  #accept (socket: Socket): void {
    this.#accepted++
    this.#sockets.add(socket)
    socket.on('error', () => {})
    socket.once('close', () => {
      this.#sockets.delete(socket)
      if (this.#sockets.size === 0) {
        const waiting = this.#idle
        this.#idle = []
        for (const w of waiting) w()
      }
    })
    this.#serve(socket).catch((err) => {
      this.#log('control request failed - %e', err)
      if (!socket.destroyed) socket.end(encodeLine({ error: errorToWire(err) }))
    })
  }

  async #serve (socket: Socket): Promise<void> {
    const reader = new LineReader(socket, MAX_REQUEST_BYTES)
    const timer = setTimeout(() => { socket.destroy() }, REQUEST_TIMEOUT_MS)
    const line = await reader.next().finally(() => { clearTimeout(timer) })
    if (line == null) return
    const req = decodeLine<ControlRequest>(line)
    const peer = await this.#init.peer
    switch (req.op) {
      case 'hello': {
        this.#hellos++
        const hello: ControlHello = { pid: process.pid, role: this.#init.role, peerId: peer.peerId.toString(), web: this.#init.web?.(), sharing: peer.sharing, tracker: await this.#init.tracker ?? [] }
        socket.end(encodeLine({ ok: hello }))
        return
      }
      case 'list':
        socket.end(encodeLine({ ok: await peer.list(req.query === '' ? undefined : req.query) }))
        return
      case 'resolve':
        socket.end(encodeLine({ ok: await peer.resolve(req.name) }))
        return
      case 'status':
        socket.end(encodeLine({ ok: await peer.trackerStatus() }))
        return
      case 'play': {
        await peer.fetch(CID.parse(req.cid))
        socket.end(encodeLine({ ok: { web: this.#init.web?.() } }))
        return
      }
      case 'read':
        await this.#read(peer, socket, req.cid)
        return
      case 'get':
        await this.#get(peer, socket, req)
        return
      default:
        throw new Error(`Unknown control request "${String((req as { op?: unknown }).op)}"`)
    }
  }

  /** Streams the file's bytes in order as they are verified; the socket ends after the last byte. */
  async #read (peer: Peer, socket: Socket, cidText: string): Promise<void> {
    const cid = CID.parse(cidText)
    const controller = new AbortController()
    socket.once('close', () => { controller.abort() })
    const share = this.#join(cid.toString())
    try {
      const fetch = await peer.fetch(cid, { signal: share.controller.signal })
      const size = fetch.file.info.manifest.size
      socket.write(encodeLine({ ok: { size } }))
      for await (const chunk of fetch.read(0, size, controller.signal)) {
        if (!socket.write(chunk)) {
          await new Promise<void>((resolve, reject) => {
            socket.once('drain', resolve)
            socket.once('close', () => { reject(new Error('The client went away')) })
          })
        }
      }
      socket.end()
    } catch (err) {
      // a half-written stream cannot carry an error line: the client sees fewer bytes than announced
      socket.destroy()
      this.#log('read of %s ended - %e', cidText, err)
    } finally {
      this.#leave(cid.toString(), share, controller.signal.aborted)
    }
  }

  async #get (peer: Peer, socket: Socket, req: Extract<ControlRequest, { op: 'get' }>): Promise<void> {
    const cid = CID.parse(req.cid)
    const key = cid.toString()
    const share = this.#join(key)
    let finished = false
    let released = false
    const release = (cancelled: boolean): void => {
      if (released) return
      released = true
      this.#leave(key, share, cancelled)
    }
    // a client that goes away (Ctrl-C) before its file is written cancels the download now
    socket.once('close', () => { release(!finished) })
    try {
      const write = (event: ControlEvent): void => { if (!socket.destroyed) socket.write(encodeLine({ event })) }
      const pieces = new PieceBatch(write, pieceIntervalOf(req.pieceIntervalMs))
      // any other event goes after the pieces before it
      const send = (event: ControlEvent): void => { pieces.flush(); write(event) }
      const tracker = (): string | undefined => peer.tracker?.toString()
      const providers = new Set<string>()
      // downloaded in place beside its destination when nothing of it is held yet
      const fetch = await peer.fetch(cid, { signal: share.controller.signal, requestId: req.requestId, saveAs: req.path })
      const cached = fetch.state.phase === 'complete'
      const unsubscribe = fetch.onProgress((e: PeerDownloadEvent) => {
        if (e.type === 'transfer:piece-verified') {
          providers.add(e.provider)
          pieces.add(e.bytes, e.provider !== tracker(), providers.size, peer.uploadedBytes)
          return
        }
        const event = toControlEvent(e, providers)
        if (event != null) send(event)
      })
      try {
        const result = await fetch.result
        const path = req.path
        if (path != null) {
          if (req.force !== true && await existingFile(path)) throw new FileExistsError(`The file ${path} already exists with other content; pass --force to replace it`)
          const refetch = async (): Promise<void> => { await peer.download(cid) }
          const { refetched } = await this.#serially(key, async () => exportFile(result.file, path, { refetch }))
          if (refetched > 0) send({ type: 'refetched', pieces: refetched })
        }
        pieces.flush()
        finished = true
        const done: ControlGetResult = { cid: key, size: result.file.info.manifest.size, path, bytesFromTracker: result.bytesFromTracker, bytesFromPeers: result.bytesFromPeers, bytesDuplicate: result.bytesDuplicate, bytesReceived: result.bytesFromTracker + result.bytesFromPeers + result.bytesDuplicate, cached }
        if (!socket.destroyed) socket.end(encodeLine({ done }))
      } finally {
        unsubscribe()
        pieces.close()
      }
    } finally {
      release(false)
    }
  }

  /** Runs exports of one cid one after another: the first may move a download in place, the next copy it. */
  async #serially<T> (key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#exports.get(key) ?? Promise.resolve()
    const run = before.then(fn, fn)
    const settled = run.then(() => {}, () => {})
    this.#exports.set(key, settled)
    try {
      return await run
    } finally {
      if (this.#exports.get(key) === settled) this.#exports.delete(key)
    }
  }

  #join (key: string): SharedDownload {
    let d = this.#downloads.get(key)
    if (d == null || d.controller.signal.aborted) {
      d = { controller: new AbortController(), clients: 0 }
      this.#downloads.set(key, d)
    }
    d.clients++
    return d
  }

  /** One client less; the last one leaving before the end cancels the download. */
  #leave (key: string, d: SharedDownload, cancelled: boolean): void {
    d.clients--
    if (d.clients > 0) return
    if (this.#downloads.get(key) === d) this.#downloads.delete(key)
    if (cancelled) {
      this.#log('the last client of %s left: cancelling its download', key)
      d.controller.abort(new DOMException('Cancelled by the client', 'AbortError'))
    }
  }
}

/** Exists and is not a folder: what `get` refuses to replace. */
export async function existingFile (path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined)
  return info != null && !info.isDirectory()
}

function toControlEvent (e: PeerDownloadEvent, providers: Set<string>): ControlEvent | undefined {
  switch (e.type) {
    case 'queue:position': return { type: 'queue:position', ...e.position }
    case 'queue:granted': return { type: 'queue:granted' }
    case 'download:start': return { type: 'download:start', total: e.total, have: e.have }
    case 'transfer:provider-connected': providers.add(e.provider); return undefined
    case 'transfer:provider-dropped': providers.delete(e.provider); return { type: 'provider-dropped', provider: e.provider, reason: e.reason }
    case 'transfer:provider-banned': providers.delete(e.provider); return { type: 'provider-banned', provider: e.provider, reason: e.reason }
    default: return undefined
  }
}
