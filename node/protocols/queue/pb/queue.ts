import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface QueueRequest {
  cid: Uint8Array<ArrayBuffer>
  requestId: string
}

export namespace QueueRequest {
  let _codec: Codec<QueueRequest>

  export const codec = (): Codec<QueueRequest> => {
    if (_codec == null) {
      _codec = message<QueueRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.requestId != null && obj.requestId !== '')) {
          w.uint32(18)
          w.string(obj.requestId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          requestId: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            case 2: {
              obj.requestId = reader.string()
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
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.string()
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

  export interface QueueRequestCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface QueueRequestRequestIdFieldEvent {
    field: '$.requestId'
    value: string
  }

  export function encode (obj: Partial<QueueRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, QueueRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueRequest>): QueueRequest {
    return decodeMessage(buf, QueueRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueRequest>): Generator<QueueRequestCidFieldEvent | QueueRequestRequestIdFieldEvent> {
    return streamMessage(buf, QueueRequest.codec(), opts)
  }
}

export interface QueueUpdate {
  type: QueueUpdate.Type
  position: number
  waiting: number
  etaMs: number
  ticket: Uint8Array<ArrayBuffer>
  refusal: QueueUpdate.Refusal
  retryAfterMs: number
  message: string
}

export namespace QueueUpdate {
  export enum Type {
    POSITION = 'POSITION',
    TICKET = 'TICKET',
    REFUSED = 'REFUSED'
  }

  enum __TypeValues {
    POSITION = 0,
    TICKET = 1,
    REFUSED = 2
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  export enum Refusal {
    NONE = 'NONE',
    UNKNOWN_CID = 'UNKNOWN_CID',
    QUEUE_FULL = 'QUEUE_FULL',
    PEER_LIMIT = 'PEER_LIMIT',
    BAD_REQUEST = 'BAD_REQUEST',
    SHUTTING_DOWN = 'SHUTTING_DOWN',
    ADDRESS_LIMIT = 'ADDRESS_LIMIT'
  }

  enum __RefusalValues {
    NONE = 0,
    UNKNOWN_CID = 1,
    QUEUE_FULL = 2,
    PEER_LIMIT = 3,
    BAD_REQUEST = 4,
    SHUTTING_DOWN = 5,
    ADDRESS_LIMIT = 6
  }

  export namespace Refusal {
    export const codec = (): Codec<Refusal> => {
      return enumeration<Refusal>(__RefusalValues)
    }
  }

  let _codec: Codec<QueueUpdate>

  export const codec = (): Codec<QueueUpdate> => {
    if (_codec == null) {
      _codec = message<QueueUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          QueueUpdate.Type.codec().encode(obj.type, w)
        }

        if ((obj.position != null && obj.position !== 0)) {
          w.uint32(16)
          w.uint32(obj.position)
        }

        if ((obj.waiting != null && obj.waiting !== 0)) {
          w.uint32(24)
          w.uint32(obj.waiting)
        }

        if ((obj.etaMs != null && obj.etaMs !== 0)) {
          w.uint32(32)
          w.uint32(obj.etaMs)
        }

        if ((obj.ticket != null && obj.ticket.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.ticket)
        }

        if (obj.refusal != null && __RefusalValues[obj.refusal] !== 0) {
          w.uint32(48)
          QueueUpdate.Refusal.codec().encode(obj.refusal, w)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(56)
          w.uint32(obj.retryAfterMs)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(66)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.POSITION,
          position: 0,
          waiting: 0,
          etaMs: 0,
          ticket: uint8ArrayAlloc(0),
          refusal: Refusal.NONE,
          retryAfterMs: 0,
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = QueueUpdate.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.position = reader.uint32()
              break
            }
            case 3: {
              obj.waiting = reader.uint32()
              break
            }
            case 4: {
              obj.etaMs = reader.uint32()
              break
            }
            case 5: {
              obj.ticket = reader.bytes()
              break
            }
            case 6: {
              obj.refusal = QueueUpdate.Refusal.codec().decode(reader)
              break
            }
            case 7: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 8: {
              obj.message = reader.string()
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
                field: `${prefix}.type`,
                value: QueueUpdate.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.position`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.waiting`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.etaMs`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ticket`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.refusal`,
                value: QueueUpdate.Refusal.codec().decode(reader)
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
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

  export interface QueueUpdateTypeFieldEvent {
    field: '$.type'
    value: QueueUpdate.Type
  }

  export interface QueueUpdatePositionFieldEvent {
    field: '$.position'
    value: number
  }

  export interface QueueUpdateWaitingFieldEvent {
    field: '$.waiting'
    value: number
  }

  export interface QueueUpdateEtaMsFieldEvent {
    field: '$.etaMs'
    value: number
  }

  export interface QueueUpdateTicketFieldEvent {
    field: '$.ticket'
    value: Uint8Array<ArrayBuffer>
  }

  export interface QueueUpdateRefusalFieldEvent {
    field: '$.refusal'
    value: QueueUpdate.Refusal
  }

  export interface QueueUpdateRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface QueueUpdateMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<QueueUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, QueueUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueUpdate>): QueueUpdate {
    return decodeMessage(buf, QueueUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueUpdate>): Generator<QueueUpdateTypeFieldEvent | QueueUpdatePositionFieldEvent | QueueUpdateWaitingFieldEvent | QueueUpdateEtaMsFieldEvent | QueueUpdateTicketFieldEvent | QueueUpdateRefusalFieldEvent | QueueUpdateRetryAfterMsFieldEvent | QueueUpdateMessageFieldEvent> {
    return streamMessage(buf, QueueUpdate.codec(), opts)
  }
}
