import { TLSSocket } from 'node:tls'
import type { Connection, Stream } from '@libp2p/interface'

/** The parts of the encrypted connection under a muxer that the probe reads. */
interface EncryptedConnection { writeBufferLength: number, socket: unknown }

/**
 * A test of "nothing written to `stream` so far is still referenced below it", when the
 * connection is encrypted with TLS (`@libp2p/tls`, natively or over its JavaScript duplex);
 * undefined for any other connection (Noise, unencrypted), where the answer is unknown.
 *
 * Bytes written to a yamux stream go, synchronously, from the stream's write buffer to the
 * muxer, which hands its frames to the encrypted connection's write buffer, which writes
 * them to the TLS socket; the socket's writable buffer holds them until its handle takes
 * them, and the handle encrypts them at once (`SSL_write` copies or encrypts the plaintext
 * before the write call returns; a write that cannot complete keeps a copy). So when all
 * three buffers are empty, no layer holds a view of any byte written before, and the
 * writer may reuse the memory. libp2p 3 has no public API for this: the probe reads the
 * connection's muxer and the muxer's connection (fields of the libp2p and
 * `@libp2p/utils` classes, checked at run time and covered by
 * `test/node/protocols/transfer/write-release.spec.ts`); when they are not there it
 * returns undefined and nothing is reused.
 */
export function writeReleaseProbe (stream: Pick<Stream, 'writeBufferLength'>, connection: Connection): (() => boolean) | undefined {
  const muxer = (connection as unknown as { muxer?: { maConn?: Partial<EncryptedConnection> } }).muxer
  const encrypted = muxer?.maConn
  if (encrypted == null || typeof encrypted.writeBufferLength !== 'number' || !(encrypted.socket instanceof TLSSocket)) return undefined
  const socket = encrypted.socket
  const below = encrypted as EncryptedConnection
  return () => stream.writeBufferLength === 0 && below.writeBufferLength === 0 && socket.writableLength === 0
}
