import { FrameTooLargeError, ProtocolError, UnexpectedEndError } from '../errors.js'
import { send } from './stream-writer.js'
import type { StreamReader } from './stream-reader.js'
import type { WritableMessageStream } from './stream-writer.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A protons-generated message namespace (`Msg.encode`/`Msg.decode`). */
export interface MessageCodec<T> {
  encode(obj: Partial<T>): Uint8Array
  decode(buf: Uint8Array | Uint8ArrayList): T
}

/**
 * Reads one length-prefixed protobuf message. Returns undefined when the stream ended
 * cleanly before the message started. Throws FrameTooLargeError when the prefix announces
 * more than `maxLength` bytes (before reading them), ProtocolError when the bytes do not
 * decode.
 */
export async function readMessage<T> (reader: StreamReader, codec: MessageCodec<T>, maxLength: number, signal?: AbortSignal): Promise<T | undefined> {
  const buffered = reader.tryReadFrame(maxLength)
  if (buffered != null) return decodeMessage(codec, buffered)
  const length = await reader.readVarint(signal)
  if (length == null) return undefined
  if (length > maxLength) {
    throw new FrameTooLargeError(`Message of ${length} bytes exceeds the limit of ${maxLength}`)
  }
  return decodeMessage(codec, await reader.readExactly(length, signal))
}

function decodeMessage<T> (codec: MessageCodec<T>, bytes: Uint8Array): T {
  try {
    return codec.decode(bytes)
  } catch (err) {
    throw new ProtocolError('Malformed message', { cause: err })
  }
}

/** Like {@link readMessage} but a clean end of stream is an error too. */
export async function expectMessage<T> (reader: StreamReader, codec: MessageCodec<T>, maxLength: number, signal?: AbortSignal): Promise<T> {
  const msg = await readMessage(reader, codec, maxLength, signal)
  if (msg == null) throw new UnexpectedEndError('Stream ended before a message arrived')
  return msg
}

/** Encodes `message` with its length prefix. */
export function encodeFrame<T> (message: T, codec: MessageCodec<T>): Uint8Array {
  const body = codec.encode(message)
  let prefixLength = 1
  for (let n = body.byteLength; n >= 0x80; n = Math.floor(n / 128)) prefixLength++
  const out = new Uint8Array(prefixLength + body.byteLength)
  let n = body.byteLength
  for (let i = 0; i < prefixLength - 1; i++) {
    out[i] = (n & 0x7f) | 0x80
    n = Math.floor(n / 128)
  }
  out[prefixLength - 1] = n
  out.set(body, prefixLength)
  return out
}

/** Writes one length-prefixed protobuf message, respecting backpressure. */
export async function writeMessage<T> (stream: WritableMessageStream, message: T, codec: MessageCodec<T>, signal?: AbortSignal): Promise<void> {
  await send(stream, encodeFrame(message, codec), signal)
}
