/**
 * Preloaded into benchmarked CLI processes (`node --import <this> dist/cli/main.js …`, the
 * swarm bench's `--counts`): counts what a process does per byte and per piece, and at exit
 * writes the counts as JSON to the file named by MEDIASWARM_BENCH_COUNTS. Nothing happens
 * when that variable is unset. It wraps Node's own prototypes (sockets, file handles,
 * timers), so it sees the bundled CLI as it runs; its own cost is a few percent of CPU.
 *
 * - `tls.writes` / `tls.reads`: writes into TLS sockets (each is at least one TLS record and
 *   one syscall) and the decrypted chunks read from them; `*.bytes` beside them.
 * - `yamux.*`: the yamux frame starting each written buffer, by type (`data` split by size:
 *   `yamux.syn` / `fin` / `rst` count the frames opening, half-closing and resetting streams;
 *   under 64 bytes are control messages such as HAVEs, requests and cancels, counted again
 *   by kind as `yamux.data<64B.have|want|cancel|urgent|notHere|other`).
 * - `mss.<protocol>`: protocol ids written in multistream-select messages (a dialer's
 *   proposal, a listener's echo): which protocols the streams a process opens or accepts speak.
 * - `tcp.dials` / `tcp.accepts`: TCP connections opened and accepted (loopback control
 *   channels of the CLI included); `tls.handshakes`: TLS sessions set up (either side).
 * - `fs.*`: file-handle reads, writes and syncs, and atomic small-file writes.
 * - `timers.*`, `abortSignal.*`: timers and signals created.
 * - `gc.*`: garbage collections by kind (`gc.minor` scavenges, `gc.major` mark-compacts,
 *   `gc.incremental` marking steps, `gc.weakcb`) and their pauses on the main thread
 *   (`gc.pauseMs` in all, `gc.major.pauseMs`, `gc.maxPauseMs`), from V8's GC performance
 *   entries.
 */
import { writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import net from 'node:net'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import type { PerformanceEntry } from 'node:perf_hooks'

const out = process.env.MEDIASWARM_BENCH_COUNTS
if (out !== undefined && out !== '') {
  const counts: Record<string, number> = {}
  const inc = (key: string, n = 1): void => { counts[key] = (counts[key] ?? 0) + n }
  /** Replaces `obj[name]` with a wrapper that counts its calls under `key` first. */
  const count = (obj: any, name: string, key: string, also?: (args: any[], self: any) => void): void => {
    const orig = obj[name]
    if (typeof orig !== 'function') return
    obj[name] = function (this: unknown, ...args: unknown[]) {
      inc(key)
      also?.(args, this)
      return orig.apply(this, args)
    }
  }
  const YAMUX_TYPES = ['data', 'windowUpdate', 'ping', 'goAway']
  /** Counts the yamux frame starting `b`; returns the length of a small data frame whose body is not in `b` (it is the next chunk). */
  const frame = (b: Uint8Array): number => {
    // a yamux header: version 0, type 0-3, flags (2), stream id (4), length (4)
    if (b.byteLength < 12 || b[0] !== 0 || b[1] > 3) return 0
    const type = YAMUX_TYPES[b[1]]
    inc(`yamux.${type}`)
    // flags: SYN opens a stream, FIN half-closes it, RST resets it
    const flags = (b[2] << 8) | b[3]
    if ((flags & 1) !== 0) inc('yamux.syn')
    if ((flags & 4) !== 0) inc('yamux.fin')
    if ((flags & 8) !== 0) inc('yamux.rst')
    if (type !== 'data') return 0
    const length = ((b[8] << 24) >>> 0) + (b[9] << 16) + (b[10] << 8) + b[11]
    inc(length < 64 ? 'yamux.data<64B' : length < 65536 ? 'yamux.data<64KiB' : 'yamux.data>=64KiB')
    if (length === 0 || length >= 64) return 0
    if (b.byteLength < 12 + length) return length
    inc(`yamux.data<64B.${smallKind(b.subarray(12, 12 + length))}`)
    return 0
  }
  /**
   * What a small yamux data frame holds when it is one length-prefixed transfer message:
   * `have` (a TransferResponse HAVE, one piece or several), `want` / `cancel` / `urgent`
   * (a TransferRequest whose first field is that), `notHere` (a PIECE header of length 0);
   * `other` for everything else (other protocols, multistream-select, several messages).
   */
  const smallKind = (p: Uint8Array): string => {
    let at = 0
    let len = 0
    for (let shift = 0; at < p.byteLength && shift < 28; shift += 7) {
      const byte = p[at++]
      len += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) break
    }
    if (at + len !== p.byteLength || len === 0) return 'other'
    const tag = p[at]
    const value = p[at + 1]
    if (tag === 0x08 && value === 0x01) return 'have'
    if (tag === 0x08 && value === 0x02) return 'notHere'
    // repeated uint32 fields, one tag per value (protons does not pack them) or packed
    if (tag === 0x10 || tag === 0x12) return 'want'
    if (tag === 0x18 || tag === 0x1a) return 'cancel'
    if (tag === 0x28 || tag === 0x2a) return 'urgent'
    return 'other'
  }
  /** Protocol ids written in a multistream-select message (the dialer's proposal, the listener's echo). */
  const protocols = (c: Uint8Array): void => {
    for (const m of Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1').matchAll(/\/[a-z][\w/.-]*\n/g)) {
      if (!m[0].startsWith('/multistream/')) inc(`mss.${m[0].slice(0, -1)}`)
    }
  }
  const sockets = net.Socket.prototype as any
  const writeGeneric = sockets._writeGeneric
  sockets._writeGeneric = function (this: any, writev: boolean, data: any, encoding: unknown, cb: unknown) {
    const kind = this.encrypted === true ? 'tls' : 'tcp'
    const chunks: Uint8Array[] = writev ? data.map((d: any) => d.chunk ?? d) : [data]
    inc(`${kind}.writes`)
    let body = 0 // a small data frame's body comes as the chunk after its header
    for (const c of chunks) {
      inc(`${kind}.writes.bytes`, c.byteLength ?? c.length)
      if (kind !== 'tls' || typeof c === 'string') continue
      if (c.byteLength < 512) protocols(c)
      if (body > 0 && c.byteLength === body) {
        inc(`yamux.data<64B.${smallKind(c)}`)
        body = 0
      } else {
        body = frame(c)
      }
    }
    return writeGeneric.call(this, writev, data, encoding, cb)
  }
  const push = sockets.push
  sockets.push = function (this: any, chunk: any, encoding: unknown) {
    if (chunk != null) {
      const kind = this.encrypted === true ? 'tls' : 'tcp'
      inc(`${kind}.reads`)
      inc(`${kind}.reads.bytes`, chunk.length)
    }
    return push.call(this, chunk, encoding)
  }
  const socketEmit = sockets.emit
  sockets.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'secure') inc('tls.handshakes')
    return socketEmit.call(this, event, ...args)
  }
  count(sockets, 'connect', 'tcp.dials', (_args, self) => {
    // a socket connects once; libp2p may call connect() again on the same one
    if (self.__countedDial === true) counts['tcp.dials']--
    self.__countedDial = true
  })
  const servers = net.Server.prototype as any
  const emit = servers.emit
  servers.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'connection') inc('tcp.accepts')
    return emit.call(this, event, ...args)
  }
  const handle = await open(new URL(import.meta.url), 'r')
  const handles = Object.getPrototypeOf(handle)
  await handle.close()
  for (const m of ['read', 'write', 'writev', 'stat', 'datasync', 'sync']) count(handles, m, `fs.${m}`)
  count(globalThis, 'setTimeout', 'timers.setTimeout')
  count(globalThis, 'setInterval', 'timers.setInterval')
  count(globalThis, 'setImmediate', 'timers.setImmediate')
  count(AbortSignal, 'timeout', 'abortSignal.timeout')
  count(AbortSignal, 'any', 'abortSignal.any')
  const GC_KINDS: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb'
  }
  const gc = (entries: PerformanceEntry[]): void => {
    for (const e of entries) {
      const kind = GC_KINDS[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other'
      inc(`gc.${kind}`)
      inc('gc.pauseMs', e.duration)
      inc(`gc.${kind}.pauseMs`, e.duration)
      counts['gc.maxPauseMs'] = Math.max(counts['gc.maxPauseMs'] ?? 0, e.duration)
    }
  }
  const gcObserver = new PerformanceObserver((list) => { gc(list.getEntries()) })
  gcObserver.observe({ entryTypes: ['gc'] })
  process.on('exit', () => {
    gc(gcObserver.takeRecords())
    gcObserver.disconnect()
    for (const k of Object.keys(counts)) if (k.endsWith('auseMs')) counts[k] = Math.round(counts[k] * 100) / 100
    const u = process.resourceUsage()
    counts['cpu.userSec'] = u.userCPUTime / 1e6
    counts['cpu.systemSec'] = u.systemCPUTime / 1e6
    counts['cpu.involuntarySwitches'] = u.involuntaryContextSwitches
    writeFileSync(out, JSON.stringify(counts))
  })
}
