import { request } from 'node:http'

/** What {@link firstByte} measured. */
export interface FirstByte {
  /** From sending the request to the first body byte. */
  ms: number
  status: number
  contentRange?: string
  /** The first `sample` bytes of the body (fewer when the body is shorter). */
  head: Buffer
}

/**
 * GETs `url` on a fresh connection (optionally with a Range header), times the first body
 * byte, collects the first `sample` bytes and hangs up, as a player that seeks would.
 */
export async function firstByte (url: string, options: { range?: string, sample?: number, timeoutMs: number }): Promise<FirstByte> {
  const sample = options.sample ?? 16 * 1024
  const started = performance.now()
  return new Promise<FirstByte>((resolve, reject) => {
    const signal = AbortSignal.timeout(options.timeoutMs)
    const req = request(url, { agent: false, headers: options.range == null ? {} : { Range: options.range }, signal }, (res) => {
      let ms: number | undefined
      const chunks: Buffer[] = []
      let got = 0
      const finish = (): void => {
        res.destroy()
        if (ms == null) { reject(new Error(`GET ${url}${options.range == null ? '' : ` (${options.range})`} answered ${res.statusCode} with an empty body.`)); return }
        resolve({ ms, status: res.statusCode ?? 0, contentRange: res.headers['content-range'], head: Buffer.concat(chunks).subarray(0, sample) })
      }
      res.on('data', (chunk: Buffer) => {
        ms ??= performance.now() - started
        chunks.push(chunk)
        got += chunk.length
        if (got >= sample) finish()
      })
      res.on('end', finish)
      res.on('error', (err) => { if (got < sample) reject(err) })
    })
    req.on('error', (err) => {
      reject(signal.aborted ? new Error(`GET ${url}${options.range == null ? '' : ` (${options.range})`} gave no first byte within ${options.timeoutMs} ms.`) : err)
    })
    req.end()
  })
}
