import { serviceCapabilities } from '@libp2p/interface'
import type { ConnectionEncrypter, MessageStream, SecureConnectionOptions, SecuredConnection } from '@libp2p/interface'

/** Noise's multistream-select protocol id (as @chainsafe/libp2p-noise names it). */
export const NOISE_PROTOCOL = '/noise'

/**
 * Noise as a connection encrypter that loads @chainsafe/libp2p-noise (its WebAssembly
 * ciphers, compiled at import) and makes its X25519 key only when a handshake picks it.
 * Noise is the fallback behind TLS: most processes never use it, and loading it up front
 * cost every command's start-up.
 */
export function lazyNoise (): (components: any) => ConnectionEncrypter {
  return (components) => {
    let loading: Promise<ConnectionEncrypter> | undefined
    const load = async (): Promise<ConnectionEncrypter> => {
      loading ??= import('@chainsafe/libp2p-noise').then(m => m.noise()(components))
      return loading
    }
    const encrypter: ConnectionEncrypter & Record<symbol, unknown> = {
      protocol: NOISE_PROTOCOL,
      [Symbol.toStringTag]: '@chainsafe/libp2p-noise',
      [serviceCapabilities]: ['@libp2p/connection-encryption', '@chainsafe/libp2p-noise'],
      secureOutbound: async (connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection> => (await load()).secureOutbound(connection, options),
      secureInbound: async (connection: MessageStream, options?: SecureConnectionOptions): Promise<SecuredConnection> => (await load()).secureInbound(connection, options)
    }
    return encrypter
  }
}
