/**
 * `npm run bench:tls-memory`: what one connection costs a Node server in memory, outside
 * libp2p and mediaswarm. A server process accepts `--peers` connections (default 2,000) from a
 * client process on loopback, first as plain TCP, then as TLS 1.3 built the way the patched
 * `@libp2p/tls` builds it on a tracker (a `TLSSocket` wrapping the accepted `net.Socket`, one
 * shared secure context, the client's certificate requested, ALPN `libp2p`, the libp2p
 * certificates of `@libp2p/tls/utils`, made at run time). Each connection echoes 5 bytes; then
 * every client asks for one 256 KiB piece, which the server writes in one call (`tcp`, `tls`),
 * or in writes of a yamux frame (64 KiB and its 12-byte header: `tlsFrames64KiB`) or of
 * 16,383 bytes (`tlsWrites16KiB`), written as libp2p's message streams write: until the
 * socket reports itself full, then again on 'drain'. Prints JSON: the server's RSS growth per connection, idle and after one
 * piece served, in KB (1,000 bytes), for each.
 *
 * This is the floor under `bench:tracker`'s RSS over TLS: whatever Node and OpenSSL keep per
 * connection, before libp2p's layers or a single stream.
 *
 * Options: --peers 2000 --piece 262144 (bytes)
 */
import '../node/polyfill.js'
import { createServer, connect } from 'node:net'
import { TLSSocket, connect as tlsConnect, createSecureContext } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { generateCertificate } from '@libp2p/tls/utils'
import { killAll, startNode, waitForJsonLine } from './lib/procs.js'
import { option, wholeNumber } from './lib/args.js'
import { runBench } from './lib/run.js'
import { vmRssBytes } from './lib/soak.js'
import type { Socket } from 'node:net'
import type { Child } from './lib/procs.js'

const SELF = fileURLToPath(import.meta.url)
type Kind = 'tcp' | 'tls'

const print = (value: unknown): void => { process.stdout.write(JSON.stringify(value) + '\n') }

async function certificate (): Promise<{ cert: string, key: string }> {
  return await generateCertificate(await generateKeyPair('Ed25519'))
}

/** Echoes what it reads; a read starting with `P` is answered with one piece. SIGUSR2: collect garbage, say so. */
async function serverRole (argv: string[]): Promise<void> {
  const kind = option(argv, 'kind', 'tls') as Kind
  const piece = Buffer.alloc(wholeNumber(argv, 'piece', 262144), 7)
  const chunk = Number(option(argv, 'chunk', '0'))
  const context = kind === 'tls' ? createSecureContext(await certificate()) : undefined
  const serve = (s: Socket): void => {
    s.on('data', (d: Buffer) => {
      if (d[0] !== 0x50) { s.write(d); return }
      if (chunk === 0) { s.write(piece); return }
      // `chunk` bytes a write, as libp2p's message streams write: until the socket says
      // it is full, then on 'drain'
      let at = 0
      const pump = (): void => {
        while (at < piece.length) {
          const more = s.write(piece.subarray(at, at + chunk))
          at += chunk
          if (!more) { s.once('drain', pump); return }
        }
      }
      pump()
    })
    s.on('error', () => {})
  }
  const server = createServer((socket) => {
    if (context == null) { serve(socket); return }
    serve(new TLSSocket(socket, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false, ALPNProtocols: ['libp2p'] }))
  })
  process.on('SIGUSR2', () => {
    globalThis.gc?.()
    print({ event: 'gc' })
  })
  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    print({ event: 'listening', port: typeof address === 'object' && address != null ? address.port : 0 })
  })
}

/** Opens the connections, each echoing 5 bytes; SIGUSR2: every connection fetches one piece. */
async function clientsRole (argv: string[]): Promise<void> {
  const kind = option(argv, 'kind', 'tls') as Kind
  const port = wholeNumber(argv, 'port', 1)
  const peers = wholeNumber(argv, 'peers', 2000)
  const pieceBytes = wholeNumber(argv, 'piece', 262144)
  const own = kind === 'tls' ? await certificate() : undefined
  const sockets: Socket[] = []
  let echoed = 0
  for (let i = 0; i < peers; i++) {
    const s = own == null
      ? connect({ port, host: '127.0.0.1' })
      : tlsConnect({ port, host: '127.0.0.1', ...own, rejectUnauthorized: false, ALPNProtocols: ['libp2p'] })
    s.once(own == null ? 'connect' : 'secureConnect', () => { s.write('hello') })
    s.once('data', () => { if (++echoed === peers) print({ event: 'connected' }) })
    s.on('error', (e) => { print({ event: 'error', message: e.message }) })
    sockets.push(s)
    // a few at a time, as peers join a tracker (and under the listen backlog)
    if (i % 100 === 99) await new Promise(resolve => setTimeout(resolve, 20))
  }
  process.on('SIGUSR2', () => {
    let done = 0
    for (const s of sockets) {
      let got = 0
      const onData = (d: Buffer): void => {
        got += d.length
        if (got < pieceBytes) return
        s.off('data', onData)
        if (++done === sockets.length) print({ event: 'pieces' })
      }
      s.on('data', onData)
      s.write('P')
    }
  })
  setInterval(() => {}, 60_000)
}

const isEvent = (name: string) => (v: any): v is { event: string, port?: number } => v?.event === name

async function settledRss (server: Child): Promise<number> {
  const gc = waitForJsonLine(server, isEvent('gc'), 30_000)
  server.proc.kill('SIGUSR2')
  await gc
  await new Promise(resolve => setTimeout(resolve, 500))
  return await vmRssBytes(server.proc.pid!)
}

async function measure (kind: Kind, peers: number, piece: number, chunk: number): Promise<Record<string, number>> {
  const server = startNode(`${kind} server`, ['--expose-gc', SELF, '--role', 'server', '--kind', kind, '--piece', String(piece), '--chunk', String(chunk)])
  const { port } = await waitForJsonLine(server, isEvent('listening'), 30_000)
  const base = await settledRss(server)
  const clients = startNode(`${kind} clients`, [SELF, '--role', 'clients', '--kind', kind, '--port', String(port), '--peers', String(peers), '--piece', String(piece)])
  await waitForJsonLine(clients, isEvent('connected'), 300_000)
  const idle = await settledRss(server)
  const pieces = waitForJsonLine(clients, isEvent('pieces'), 300_000)
  clients.proc.kill('SIGUSR2')
  await pieces
  const afterPiece = await settledRss(server)
  server.proc.kill('SIGKILL')
  clients.proc.kill('SIGKILL')
  const perConnection = (rss: number): number => Math.round((rss - base) / peers / 100) / 10
  return {
    serverBaseRssMB: Math.round(base / 1048576),
    idleKBPerConnection: perConnection(idle),
    afterOnePieceKBPerConnection: perConnection(afterPiece),
    idleRssMB: Math.round(idle / 1048576),
    afterOnePieceRssMB: Math.round(afterPiece / 1048576)
  }
}

const argv = process.argv.slice(2)
const role = option(argv, 'role', '')
if (role === 'server') {
  await serverRole(argv)
} else if (role === 'clients') {
  await clientsRole(argv)
} else {
  await runBench(async () => {
    const peers = wholeNumber(argv, 'peers', 2000)
    const piece = wholeNumber(argv, 'piece', 262144)
    const result: Record<string, unknown> = { bench: 'tls-memory', peers, pieceBytes: piece, node: process.versions.node, openssl: process.versions.openssl }
    result.tcp = await measure('tcp', peers, piece, 0)
    result.tls = await measure('tls', peers, piece, 0)
    result.tlsFrames64KiB = await measure('tls', peers, piece, 65536 + 12)
    result.tlsWrites16KiB = await measure('tls', peers, piece, 16383)
    print(result)
  }, async () => { await killAll() })
}
