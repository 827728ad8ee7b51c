import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Manifest {
  version: number
  size: number
  pieceSize: number
  pieceHashes: Uint8Array<ArrayBuffer>
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if ((obj.pieceSize != null && obj.pieceSize !== 0)) {
          w.uint32(24)
          w.uint32(obj.pieceSize)
        }

        if ((obj.pieceHashes != null && obj.pieceHashes.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.pieceHashes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          size: 0,
          pieceSize: 0,
          pieceHashes: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
              break
            }
            case 3: {
              obj.pieceSize = reader.uint32()
              break
            }
            case 4: {
              obj.pieceHashes = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pieceSize`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pieceHashes`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface ManifestPieceSizeFieldEvent {
    field: '$.pieceSize'
    value: number
  }

  export interface ManifestPieceHashesFieldEvent {
    field: '$.pieceHashes'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestSizeFieldEvent | ManifestPieceSizeFieldEvent | ManifestPieceHashesFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}
