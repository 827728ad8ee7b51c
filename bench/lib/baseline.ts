import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MB } from './args.js'
import { ChildError, expectCleanExit, startNode, stop, waitForJsonLine } from './procs.js'
import type { ProcessUsage } from './usage.js'

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

/** What the verified receiver needs: where to write, the expected digests, the piece size. */
export interface VerifiedTarget { outPath: string, pieceHashesPath: string, pieceSize: number }

export interface BaselineResult {
  bytes: number
  ms: number
  mbps: number
  sender: ProcessUsage
  receiver: ProcessUsage
}

const isUsage = (v: any): boolean => typeof v?.cpuSec === 'number' && typeof v?.maxRssBytes === 'number'

/**
 * One transfer of `file` between two fresh processes over node:net, node:tls, or node:tls
 * whose receiver hashes, checks and stores every piece ('vtls').
 */
export async function runBaseline (kind: 'net' | 'tls' | 'vtls', file: string, sizeBytes: number, chunkBytes: number,
  tlsFiles: TlsFiles, verified: VerifiedTarget, timeoutMs: number): Promise<BaselineResult> {
  const certArgs = kind === 'net' ? [] : [tlsFiles.cert, tlsFiles.key]
  const sinkArgs = kind === 'vtls' ? [verified.outPath, verified.pieceHashesPath, String(verified.pieceSize)] : []
  const receiver = startNode(`${kind} receiver`, [PEER_SCRIPT, 'recv', kind, ...certArgs, ...sinkArgs])
  let sender: ReturnType<typeof startNode> | undefined
  try {
    const { port } = await waitForJsonLine(receiver,
      (v): v is { port: number } => typeof v?.port === 'number', 10_000)
    const result = waitForJsonLine(receiver,
      (v): v is { bytes: number, ms: number } & ProcessUsage => typeof v?.bytes === 'number' && typeof v?.ms === 'number' && isUsage(v), timeoutMs)
    result.catch(() => {}) // awaited below; this only keeps an early failure from being "unhandled"
    sender = startNode(`${kind} sender`, [PEER_SCRIPT, 'send', kind, String(port), file, String(chunkBytes),
      ...(kind === 'net' ? [] : [tlsFiles.cert])])
    const sent = waitForJsonLine(sender, (v): v is ProcessUsage => v?.sent === true && isUsage(v), timeoutMs)
    sent.catch(() => {})
    const [r, s] = await Promise.all([result, sent])
    await Promise.all([expectCleanExit(sender, 10_000), expectCleanExit(receiver, 10_000)])
    if (r.bytes !== sizeBytes) {
      throw new ChildError(`The ${kind} receiver got ${r.bytes} bytes instead of ${sizeBytes}.`, receiver)
    }
    return {
      bytes: r.bytes,
      ms: r.ms,
      mbps: r.bytes / MB / (r.ms / 1000),
      sender: { cpuSec: s.cpuSec, maxRssBytes: s.maxRssBytes },
      receiver: { cpuSec: r.cpuSec, maxRssBytes: r.maxRssBytes }
    }
  } finally {
    await stop(receiver, 1000)
    if (sender !== undefined) await stop(sender, 1000)
    if (kind === 'vtls') await rm(verified.outPath, { force: true })
  }
}
