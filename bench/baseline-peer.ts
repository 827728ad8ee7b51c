/**
 * One side of a node:net / node:tls baseline transfer, run as its own process by
 * bench/throughput.ts. Every mode ends by printing its own CPU time and peak RSS.
 *
 *   node baseline-peer.js recv <net|tls> [<cert.pem> <key.pem>]
 *     listens on 127.0.0.1:0, prints {"port":N}, accepts ONE connection, counts and discards
 *     bytes, then prints {"bytes":B,"ms":T,...usage} (T = TCP accept → last byte) and exits.
 *   node baseline-peer.js recv vtls <cert.pem> <key.pem> <out file> <piece hashes file> <piece size>
 *     the same over TLS, but hashes every piece (SHA-256), checks it against the expected
 *     digest and writes it to <out file> (T = TCP accept → last piece written).
 *   node baseline-peer.js send <net|tls|vtls> <port> <file> <chunkBytes> [<cert.pem>]
 *     connects, streams the file with a read stream of chunkBytes, ends, prints its usage.
 */
import { createReadStream, readFileSync } from 'node:fs'
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { pipeline } from 'node:stream/promises'
import tls from 'node:tls'
import { verifiedSink } from './lib/verified-sink.js'

type Kind = 'net' | 'tls' | 'vtls'

function fail (message: string): never {
  console.error(message)
  process.exit(1)
}

function kindOf (s: string | undefined): Kind {
  if (s === 'net' || s === 'tls' || s === 'vtls') return s
  fail(`baseline-peer: transport must be "net", "tls" or "vtls", not "${s}".`)
}

/** This process's CPU time (user + system) and peak RSS so far. */
function usage (): { cpuSec: number, maxRssBytes: number } {
  const u = process.resourceUsage()
  return { cpuSec: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssBytes: u.maxRSS * 1024 }
}

function report (value: object): void {
  process.stdout.write(JSON.stringify({ ...value, ...usage() }) + '\n', () => process.exit(0))
}

async function receive (kind: Kind, args: string[]): Promise<void> {
  let t0 = 0
  let tLast = 0
  let bytes = 0
  let accepted = false
  const onSocket = (socket: net.Socket | tls.TLSSocket): void => {
    socket.on('error', (e) => fail(`baseline-peer: receive socket error: ${e.message}`))
    if (kind === 'vtls') {
      const [,, outPath, hashesPath, pieceSize] = args
      verifiedSink(socket, outPath, Number(pieceSize), readFileSync(hashesPath)).then(
        (n) => { report({ bytes: n, ms: performance.now() - t0 }) },
        (e: Error) => fail(`baseline-peer: verified receive failed: ${e.message}`))
      return
    }
    socket.on('data', (chunk: Buffer) => { bytes += chunk.length; tLast = performance.now() })
    socket.on('end', () => { report({ bytes, ms: tLast - t0 }) })
  }
  let server: net.Server
  if (kind === 'net') {
    server = net.createServer(onSocket)
  } else {
    const [certPath, keyPath] = args
    if (certPath === undefined || keyPath === undefined) fail('baseline-peer: tls needs <cert.pem> <key.pem>.')
    server = tls.createServer({
      cert: readFileSync(certPath), key: readFileSync(keyPath),
      minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3'
    }, onSocket)
    server.on('tlsClientError', (e) => fail(`baseline-peer: TLS handshake failed: ${e.message}`))
  }
  // The raw TCP accept, before any TLS handshake: the clock starts here for every transport.
  server.on('connection', () => {
    if (accepted) return
    accepted = true
    t0 = performance.now()
    server.close()
  })
  server.on('error', (e) => fail(`baseline-peer: listen failed: ${e.message}`))
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as net.AddressInfo
    process.stdout.write(JSON.stringify({ port }) + '\n')
  })
}

async function send (kind: Kind, port: number, file: string, chunkBytes: number, certPath?: string): Promise<void> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    if (kind === 'net') {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s))
      s.once('error', reject)
    } else {
      if (certPath === undefined) fail('baseline-peer: tls needs <cert.pem>.')
      const s = tls.connect({
        host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(certPath),
        minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3'
      }, () => resolve(s))
      s.once('error', reject)
    }
  })
  socket.setNoDelay(true)
  await pipeline(createReadStream(file, { highWaterMark: chunkBytes }), socket)
  await new Promise<void>((resolve) => {
    if (socket.closed) resolve()
    else socket.once('close', () => resolve())
  })
  report({ sent: true })
}

const [mode, kindArg, ...rest] = process.argv.slice(2)
const kind = kindOf(kindArg)
const run = mode === 'recv'
  ? receive(kind, rest)
  : mode === 'send'
    ? send(kind, Number(rest[0]), rest[1] ?? fail('baseline-peer: missing <file>.'), Number(rest[2] ?? 1024 * 1024), rest[3])
    : fail(`baseline-peer: mode must be "recv" or "send", not "${mode}".`)
run.catch((e: unknown) => fail(`baseline-peer ${mode} ${kind}: ${(e as Error).message}`))
