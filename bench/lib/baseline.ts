import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MB } from './args.js'
import { ChildError, expectCleanExit, startNode, stop, waitForJsonLine } from './procs.js'

const PEER_SCRIPT = fileURLToPath(new URL('../baseline-peer.js', import.meta.url))

export interface TlsFiles { cert: string, key: string }

/** A self-signed Ed25519 certificate for localhost / 127.0.0.1, made with openssl. */
export async function makeSelfSignedCert (dir: string): Promise<TlsFiles> {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', key, '-out', cert
    ])
  } catch (e) {
    throw new Error(`Could not generate a self-signed certificate with openssl (${(e as Error).message.split('\n')[0]}).`)
  }
  return { cert, key }
}

export interface BaselineResult { bytes: number, ms: number, mbps: number }

/** One transfer of `file` between two fresh processes over node:net or node:tls. */
export async function runBaseline (kind: 'net' | 'tls', file: string, sizeBytes: number, chunkBytes: number,
  tlsFiles: TlsFiles | undefined, timeoutMs: number): Promise<BaselineResult> {
  const certArgs = kind === 'tls' ? [tlsFiles!.cert, tlsFiles!.key] : []
  const receiver = startNode(`${kind} receiver`, [PEER_SCRIPT, 'recv', kind, ...certArgs])
  let sender: ReturnType<typeof startNode> | undefined
  try {
    const { port } = await waitForJsonLine(receiver,
      (v): v is { port: number } => typeof v?.port === 'number', 10_000)
    const result = waitForJsonLine(receiver,
      (v): v is { bytes: number, ms: number } => typeof v?.bytes === 'number' && typeof v?.ms === 'number', timeoutMs)
    result.catch(() => {}) // awaited below; this only keeps an early failure from being "unhandled"
    sender = startNode(`${kind} sender`, [PEER_SCRIPT, 'send', kind, String(port), file, String(chunkBytes),
      ...(kind === 'tls' ? [tlsFiles!.cert] : [])])
    const [{ bytes, ms }] = await Promise.all([result, expectCleanExit(sender, timeoutMs)])
    await expectCleanExit(receiver, 10_000)
    if (bytes !== sizeBytes) {
      throw new ChildError(`The ${kind} receiver got ${bytes} bytes instead of ${sizeBytes}.`, receiver)
    }
    return { bytes, ms, mbps: bytes / MB / (ms / 1000) }
  } finally {
    await stop(receiver, 1000)
    if (sender !== undefined) await stop(sender, 1000)
  }
}
