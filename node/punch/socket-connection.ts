import { TimeoutError } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import type { AbortOptions, Logger, MessageStreamDirection } from '@libp2p/interface'
import type { SendResult } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'

/** A connected socket idle this long (nothing sent either way) is closed: libp2p pings every 30 s. */
const INACTIVITY_TIMEOUT_MS = 2 * 60_000

/** Options of {@link SocketConnection}. */
export interface SocketConnectionInit {
  socket: Socket
  remoteAddr: Multiaddr
  direction: MessageStreamDirection
  log: Logger
}

/**
 * A libp2p MultiaddrConnection over a connected TCP socket, the way @libp2p/tcp wraps the
 * sockets it dials (that class is not exported): ours come from a punch socket bound to a
 * chosen local port, which @libp2p/tcp cannot dial from.
 */
export class SocketConnection extends AbstractMultiaddrConnection {
  readonly socket: Socket

  constructor (init: SocketConnectionInit) {
    super({ remoteAddr: init.remoteAddr, direction: init.direction, log: init.log })
    const socket = this.socket = init.socket
    socket.setNoDelay(true)
    socket.setKeepAlive(true)
    socket.on('data', buf => { this.onData(buf) })
    socket.on('error', err => { this.abort(err) })
    socket.setTimeout(INACTIVITY_TIMEOUT_MS)
    socket.once('timeout', () => { this.abort(new TimeoutError('The punched socket was idle too long')) })
    socket.once('end', () => { this.onTransportClosed() })
    socket.once('close', hadError => {
      if (hadError) this.abort(new Error('TCP transmission error'))
      else this.onTransportClosed()
    })
    socket.on('drain', () => { this.safeDispatchEvent('drain') })
  }

  sendData (data: Uint8ArrayList): SendResult {
    let sentBytes = 0
    let canSendMore = true
    for (const buf of data) {
      sentBytes += buf.byteLength
      canSendMore = this.socket.write(buf)
      if (!canSendMore) break
    }
    return { sentBytes, canSendMore }
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    if (this.socket.destroyed) return
    const closed = new Promise<void>((resolve, reject) => {
      this.socket.once('close', () => { resolve() })
      options?.signal?.addEventListener('abort', () => { reject(options.signal?.reason) }, { once: true })
    })
    this.socket.destroySoon()
    await closed
  }

  sendReset (): void {
    if (this.socket.writableEnded) this.socket.destroy()
    else this.socket.resetAndDestroy()
  }

  sendPause (): void {
    this.socket.pause()
  }

  sendResume (): void {
    this.socket.resume()
  }
}
