import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TransferRequest {
  ticket: Uint8Array<ArrayBuffer>
  want: number[]
  cancel: number[]
  alternatives: number[]
  urgent: number[]
}

export namespace TransferRequest {
  let _codec: Codec<TransferRequest>

  export const codec = (): Codec<TransferRequest> => {
    if (_codec == null) {
      _codec = message<TransferRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ticket != null && obj.ticket.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.ticket)
        }

        if (obj.want != null && obj.want.length > 0) {
          for (const value of obj.want) {
            w.uint32(16)
            w.uint32(value)
          }
        }

        if (obj.cancel != null && obj.cancel.length > 0) {
          for (const value of obj.cancel) {
            w.uint32(24)
            w.uint32(value)
          }
        }

        if (obj.alternatives != null && obj.alternatives.length > 0) {
          for (const value of obj.alternatives) {
            w.uint32(32)
            w.uint32(value)
          }
        }

        if (obj.urgent != null && obj.urgent.length > 0) {
          for (const value of obj.urgent) {
            w.uint32(40)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ticket: uint8ArrayAlloc(0),
          want: [],
          cancel: [],
          alternatives: [],
          urgent: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ticket = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.want != null && obj.want.length === opts.limits.want) {
                throw new MaxLengthError('Decode error - repeated field "want" had too many elements')
              }

              if (obj.want.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "want" had too many elements')
              }

              obj.want.push(reader.uint32())
              break
            }
            case 3: {
              if (opts.limits?.cancel != null && obj.cancel.length === opts.limits.cancel) {
                throw new MaxLengthError('Decode error - repeated field "cancel" had too many elements')
              }

              if (obj.cancel.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "cancel" had too many elements')
              }

              obj.cancel.push(reader.uint32())
              break
            }
            case 4: {
              if (opts.limits?.alternatives != null && obj.alternatives.length === opts.limits.alternatives) {
                throw new MaxLengthError('Decode error - repeated field "alternatives" had too many elements')
              }

              if (obj.alternatives.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "alternatives" had too many elements')
              }

              obj.alternatives.push(reader.uint32())
              break
            }
            case 5: {
              if (opts.limits?.urgent != null && obj.urgent.length === opts.limits.urgent) {
                throw new MaxLengthError('Decode error - repeated field "urgent" had too many elements')
              }

              if (obj.urgent.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "urgent" had too many elements')
              }

              obj.urgent.push(reader.uint32())
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
        const obj = {
          want: 256,
          cancel: 256,
          alternatives: 256,
          urgent: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.ticket`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.want != null && obj.want === opts.limits.want) {
                throw new MaxLengthError('Streaming decode error - repeated field "want" had too many elements')
              }

              if (obj.want === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "want" had too many elements')
              }

              yield {
                field: `${prefix}.want[]`,
                index: obj.want,
                value: reader.uint32()
              }

              obj.want++

              break
            }
            case 3: {
              if (opts.limits?.cancel != null && obj.cancel === opts.limits.cancel) {
                throw new MaxLengthError('Streaming decode error - repeated field "cancel" had too many elements')
              }

              if (obj.cancel === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "cancel" had too many elements')
              }

              yield {
                field: `${prefix}.cancel[]`,
                index: obj.cancel,
                value: reader.uint32()
              }

              obj.cancel++

              break
            }
            case 4: {
              if (opts.limits?.alternatives != null && obj.alternatives === opts.limits.alternatives) {
                throw new MaxLengthError('Streaming decode error - repeated field "alternatives" had too many elements')
              }

              if (obj.alternatives === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "alternatives" had too many elements')
              }

              yield {
                field: `${prefix}.alternatives[]`,
                index: obj.alternatives,
                value: reader.uint32()
              }

              obj.alternatives++

              break
            }
            case 5: {
              if (opts.limits?.urgent != null && obj.urgent === opts.limits.urgent) {
                throw new MaxLengthError('Streaming decode error - repeated field "urgent" had too many elements')
              }

              if (obj.urgent === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "urgent" had too many elements')
              }

              yield {
                field: `${prefix}.urgent[]`,
                index: obj.urgent,
                value: reader.uint32()
              }

              obj.urgent++

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

  export interface TransferRequestTicketFieldEvent {
    field: '$.ticket'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferRequestWantFieldEvent {
    field: '$.want[]'
    index: number
    value: number
  }

  export interface TransferRequestCancelFieldEvent {
    field: '$.cancel[]'
    index: number
    value: number
  }

  export interface TransferRequestAlternativesFieldEvent {
    field: '$.alternatives[]'
    index: number
    value: number
  }

  export interface TransferRequestUrgentFieldEvent {
    field: '$.urgent[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TransferRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): TransferRequest {
    return decodeMessage(buf, TransferRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferRequest>): Generator<TransferRequestTicketFieldEvent | TransferRequestWantFieldEvent | TransferRequestCancelFieldEvent | TransferRequestAlternativesFieldEvent | TransferRequestUrgentFieldEvent> {
    return streamMessage(buf, TransferRequest.codec(), opts)
  }
}

export interface TransferResponse {
  type: TransferResponse.Type
  bitfield: Uint8Array<ArrayBuffer>
  pieceCount: number
  index: number
  length: number
  message: string
  haves: number[]
  replaces?: number
}

export namespace TransferResponse {
  export enum Type {
    BITFIELD = 'BITFIELD',
    HAVE = 'HAVE',
    PIECE = 'PIECE',
    REJECT = 'REJECT'
  }

  enum __TypeValues {
    BITFIELD = 0,
    HAVE = 1,
    PIECE = 2,
    REJECT = 3
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<TransferResponse>

  export const codec = (): Codec<TransferResponse> => {
    if (_codec == null) {
      _codec = message<TransferResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          TransferResponse.Type.codec().encode(obj.type, w)
        }

        if ((obj.bitfield != null && obj.bitfield.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.bitfield)
        }

        if ((obj.pieceCount != null && obj.pieceCount !== 0)) {
          w.uint32(24)
          w.uint32(obj.pieceCount)
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(32)
          w.uint32(obj.index)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(40)
          w.uint32(obj.length)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(50)
          w.string(obj.message)
        }

        if (obj.haves != null && obj.haves.length > 0) {
          for (const value of obj.haves) {
            w.uint32(56)
            w.uint32(value)
          }
        }

        if (obj.replaces != null) {
          w.uint32(64)
          w.uint32(obj.replaces)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.BITFIELD,
          bitfield: uint8ArrayAlloc(0),
          pieceCount: 0,
          index: 0,
          length: 0,
          message: '',
          haves: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = TransferResponse.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.bitfield = reader.bytes()
              break
            }
            case 3: {
              obj.pieceCount = reader.uint32()
              break
            }
            case 4: {
              obj.index = reader.uint32()
              break
            }
            case 5: {
              obj.length = reader.uint32()
              break
            }
            case 6: {
              obj.message = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.haves != null && obj.haves.length === opts.limits.haves) {
                throw new MaxLengthError('Decode error - repeated field "haves" had too many elements')
              }

              if (obj.haves.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "haves" had too many elements')
              }

              obj.haves.push(reader.uint32())
              break
            }
            case 8: {
              obj.replaces = reader.uint32()
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
        const obj = {
          haves: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: TransferResponse.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bitfield`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.pieceCount`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.haves != null && obj.haves === opts.limits.haves) {
                throw new MaxLengthError('Streaming decode error - repeated field "haves" had too many elements')
              }

              if (obj.haves === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "haves" had too many elements')
              }

              yield {
                field: `${prefix}.haves[]`,
                index: obj.haves,
                value: reader.uint32()
              }

              obj.haves++

              break
            }
            case 8: {
              yield {
                field: `${prefix}.replaces`,
                value: reader.uint32()
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

  export interface TransferResponseTypeFieldEvent {
    field: '$.type'
    value: TransferResponse.Type
  }

  export interface TransferResponseBitfieldFieldEvent {
    field: '$.bitfield'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TransferResponsePieceCountFieldEvent {
    field: '$.pieceCount'
    value: number
  }

  export interface TransferResponseIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TransferResponseLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export interface TransferResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface TransferResponseHavesFieldEvent {
    field: '$.haves[]'
    index: number
    value: number
  }

  export interface TransferResponseReplacesFieldEvent {
    field: '$.replaces'
    value: number
  }

  export function encode (obj: Partial<TransferResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TransferResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferResponse>): TransferResponse {
    return decodeMessage(buf, TransferResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TransferResponse>): Generator<TransferResponseTypeFieldEvent | TransferResponseBitfieldFieldEvent | TransferResponsePieceCountFieldEvent | TransferResponseIndexFieldEvent | TransferResponseLengthFieldEvent | TransferResponseMessageFieldEvent | TransferResponseHavesFieldEvent | TransferResponseReplacesFieldEvent> {
    return streamMessage(buf, TransferResponse.codec(), opts)
  }
}
