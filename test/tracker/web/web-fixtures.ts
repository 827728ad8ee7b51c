/**
 * Helpers for the tracker web API tests: a library with a cover-tagged MP3, raw HTTP for
 * hostile requests, JSON fetching and a Server-Sent Events reader.
 */
import { connect } from 'node:net'
import { httpRequest, openResponse } from '../../fixtures/http-client.js'
import { pseudoRandomBytes } from '../../fixtures/hosts.js'
import { standardLibrary } from '../../fixtures/network.js'
import type { MediaFile } from '../../fixtures/network.js'
import type { IncomingMessage } from 'node:http'

/** A 1x1 PNG's first bytes: what the cover test expects back. */
export const COVER_PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')

function id3Frame (id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(10)
  head.write(id, 0, 'latin1')
  head.writeUInt32BE(body.length, 4)
  return Buffer.concat([head, body])
}

/** An ID3v2.3 tag with a title and a front cover (APIC), then `rest`. */
export function coveredMp3 (title: string, rest: Uint8Array): Uint8Array {
  const tit2 = id3Frame('TIT2', Buffer.concat([Buffer.from([0]), Buffer.from(title, 'latin1')]))
  const apic = id3Frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from('image/png\0', 'latin1'), Buffer.from([3]), Buffer.from('cover\0', 'latin1'), COVER_PNG]))
  const body = Buffer.concat([tit2, apic])
  const n = body.length
  const size = Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
  return Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0]), size, body, rest])
}

/** The standard library plus `covered.mp3` (tags with a cover) and a subtitle file. */
export function webLibrary (): MediaFile[] {
  return [
    ...standardLibrary(),
    { path: 'covered.mp3', data: coveredMp3('Covered song', pseudoRandomBytes(5000, 21)), mime: 'audio/mpeg' },
    { path: 'subs/film.srt', data: Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nhello\n'), mime: 'application/x-subrip' }
  ]
}

/** GET `url` and parse JSON; resolves with the status too. */
export async function getJson<T = any> (url: string, headers?: Record<string, string>): Promise<{ status: number, body: T }> {
  const res = await httpRequest(url, { headers })
  return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as T }
}

/** Sends raw bytes on a fresh connection and resolves with the response's status code (0: closed without one). */
export async function rawStatus (host: string, port: number, request: string | Buffer): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host, port })
    let text = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no answer to a raw request within 10 s')) }, 10_000)
    socket.on('connect', () => { socket.write(request) })
    socket.on('data', (d) => {
      text += d.toString('latin1')
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
      if (m != null) { clearTimeout(timer); socket.destroy(); resolve(Number(m[1])) }
    })
    socket.on('error', () => {})
    socket.on('close', () => { clearTimeout(timer); resolve(0) })
  })
}

/** A Server-Sent Events stream being read: parsed events as they arrive. */
export interface EventReader {
  res: IncomingMessage
  /** Resolves with the first event (from now on, or already read) whose data passes `match`. */
  next: <T = any>(what: string, match: (data: T) => boolean, timeoutMs?: number) => Promise<T>
  close: () => void
}

/** Opens `url` as an event stream and parses `event: dashboard` events. */
export async function readEvents (url: string): Promise<EventReader> {
  const res = await openResponse(url, { timeoutMs: 120_000 })
  const events: unknown[] = []
  const waiters = new Set<() => void>()
  let buffer = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const lines = block.split('\n')
      if (!lines.includes('event: dashboard')) continue
      const data = lines.filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n')
      events.push(JSON.parse(data))
      for (const w of waiters) w()
    }
  })
  res.on('error', () => {})
  return {
    res,
    next: async <T>(what: string, match: (data: T) => boolean, timeoutMs = 20_000): Promise<T> => {
      return new Promise<T>((resolve, reject) => {
        const check = (): void => {
          const found = events.find(e => match(e as T))
          if (found !== undefined) { waiters.delete(check); clearTimeout(timer); resolve(found as T) }
        }
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no event for ${what} within ${timeoutMs} ms (${events.length} events)`)) }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () => { res.destroy() }
  }
}
