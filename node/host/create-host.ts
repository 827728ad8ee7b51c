import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { mplex } from '@libp2p/mplex'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionGater, Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** Services every mediaswarm host runs. */
export interface HostServices extends Record<string, unknown> {
  identify: Identify
  ping: Ping
}

/** A libp2p node as mediaswarm configures it. */
export type Host = Libp2p<HostServices>

/** Options of {@link createHost}. */
export interface HostInit {
  /** The node's identity; see loadOrCreateIdentity. */
  privateKey: PrivateKey
  /** Multiaddrs to listen on. @default [] (dial only) */
  listen?: string[]
  /** Optional gate for inbound and outbound connections (allow-lists). */
  connectionGater?: ConnectionGater
  /**
   * Inbound connections accepted per second from one host. libp2p's default (5) refuses
   * quick bursts such as many peers on one machine.
   * @default 100
   */
  inboundConnectionThreshold?: number
  /** @default 300 */
  maxConnections?: number
  /** A logger; libp2p's default (enabled with DEBUG=) otherwise. */
  logger?: ComponentLogger
  /** Start listening at once. @default true */
  start?: boolean
}

/**
 * Largest yamux receive window of one stream. Each stream's read buffer is allowed a bit
 * more than that: libp2p's defaults (16 MiB window, 4 MiB read buffer) reset a paused
 * stream once 4 MiB arrive.
 */
export const MAX_STREAM_WINDOW = 8 * 1024 * 1024
const MAX_READ_BUFFER = MAX_STREAM_WINDOW + 2 * 1024 * 1024

/**
 * Creates the libp2p host: TCP, Noise, yamux first (flow control per stream) with mplex
 * kept only for peers that cannot speak yamux, identify and ping.
 */
export async function createHost (init: HostInit): Promise<Host> {
  return createLibp2p({
    privateKey: init.privateKey,
    start: init.start ?? true,
    addresses: { listen: init.listen ?? [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [
      yamux({
        streamOptions: {
          maxStreamWindowSize: MAX_STREAM_WINDOW,
          maxReadBufferLength: MAX_READ_BUFFER
        }
      }),
      mplex()
    ],
    connectionGater: init.connectionGater,
    connectionManager: {
      maxConnections: init.maxConnections ?? 300,
      inboundConnectionThreshold: init.inboundConnectionThreshold ?? 100
    },
    logger: init.logger,
    services: {
      identify: identify(),
      ping: ping()
    }
  })
}
