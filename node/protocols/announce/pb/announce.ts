import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PieceRange {
  start: number
  end: number
}

export namespace PieceRange {
  let _codec: Codec<PieceRange>

  export const codec = (): Codec<PieceRange> => {
    if (_codec == null) {
      _codec = message<PieceRange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.start != null && obj.start !== 0)) {
          w.uint32(8)
          w.uint32(obj.start)
        }

        if ((obj.end != null && obj.end !== 0)) {
          w.uint32(16)
          w.uint32(obj.end)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          start: 0,
          end: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.start = reader.uint32()
              break
            }
            case 2: {
              obj.end = reader.uint32()
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
                field: `${prefix}.start`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.end`,
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

  export interface PieceRangeStartFieldEvent {
    field: '$.start'
    value: number
  }

  export interface PieceRangeEndFieldEvent {
    field: '$.end'
    value: number
  }

  export function encode (obj: Partial<PieceRange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PieceRange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PieceRange>): PieceRange {
    return decodeMessage(buf, PieceRange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PieceRange>): Generator<PieceRangeStartFieldEvent | PieceRangeEndFieldEvent> {
    return streamMessage(buf, PieceRange.codec(), opts)
  }
}

export interface AnnounceRequest {
  type: AnnounceRequest.Type
  cid: Uint8Array<ArrayBuffer>
  complete: boolean
  ranges: PieceRange[]
  ticketId: Uint8Array<ArrayBuffer>
  bytesFromTracker: number
  bytesFromPeers: number
  success: boolean
  provider: string
  reason: string
  requestId: string
  bitfield: Uint8Array<ArrayBuffer>
  reachability: string
}

export namespace AnnounceRequest {
  export enum Type {
    HAVE = 'HAVE',
    LOST = 'LOST',
    DONE = 'DONE',
    RENEW = 'RENEW',
    BYE = 'BYE',
    REPORT = 'REPORT'
  }

  enum __TypeValues {
    HAVE = 0,
    LOST = 1,
    DONE = 2,
    RENEW = 3,
    BYE = 4,
    REPORT = 5
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<AnnounceRequest>

  export const codec = (): Codec<AnnounceRequest> => {
    if (_codec == null) {
      _codec = message<AnnounceRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          AnnounceRequest.Type.codec().encode(obj.type, w)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cid)
        }

        if ((obj.complete != null && obj.complete !== false)) {
          w.uint32(24)
          w.bool(obj.complete)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(34)
            PieceRange.codec().encode(value, w)
          }
        }

        if ((obj.ticketId != null && obj.ticketId.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.ticketId)
        }

        if ((obj.bytesFromTracker != null && obj.bytesFromTracker !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.bytesFromTracker)
        }

        if ((obj.bytesFromPeers != null && obj.bytesFromPeers !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.bytesFromPeers)
        }

        if ((obj.success != null && obj.success !== false)) {
          w.uint32(64)
          w.bool(obj.success)
        }

        if ((obj.provider != null && obj.provider !== '')) {
          w.uint32(74)
          w.string(obj.provider)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(82)
          w.string(obj.reason)
        }

        if ((obj.requestId != null && obj.requestId !== '')) {
          w.uint32(90)
          w.string(obj.requestId)
        }

        if ((obj.bitfield != null && obj.bitfield.byteLength > 0)) {
          w.uint32(98)
          w.bytes(obj.bitfield)
        }

        if ((obj.reachability != null && obj.reachability !== '')) {
          w.uint32(106)
          w.string(obj.reachability)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.HAVE,
          cid: uint8ArrayAlloc(0),
          complete: false,
          ranges: [],
          ticketId: uint8ArrayAlloc(0),
          bytesFromTracker: 0,
          bytesFromPeers: 0,
          success: false,
          provider: '',
          reason: '',
          requestId: '',
          bitfield: uint8ArrayAlloc(0),
          reachability: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = AnnounceRequest.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.cid = reader.bytes()
              break
            }
            case 3: {
              obj.complete = reader.bool()
              break
            }
            case 4: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(PieceRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 5: {
              obj.ticketId = reader.bytes()
              break
            }
            case 6: {
              obj.bytesFromTracker = reader.uint64Number()
              break
            }
            case 7: {
              obj.bytesFromPeers = reader.uint64Number()
              break
            }
            case 8: {
              obj.success = reader.bool()
              break
            }
            case 9: {
              obj.provider = reader.string()
              break
            }
            case 10: {
              obj.reason = reader.string()
              break
            }
            case 11: {
              obj.requestId = reader.string()
              break
            }
            case 12: {
              obj.bitfield = reader.bytes()
              break
            }
            case 13: {
              obj.reachability = reader.string()
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
          ranges: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: AnnounceRequest.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.complete`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of PieceRange.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.ticketId`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.bytesFromTracker`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.bytesFromPeers`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.success`,
                value: reader.bool()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.provider`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.requestId`,
                value: reader.string()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.bitfield`,
                value: reader.bytes()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.reachability`,
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

  export interface AnnounceRequestTypeFieldEvent {
    field: '$.type'
    value: AnnounceRequest.Type
  }

  export interface AnnounceRequestCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnounceRequestCompleteFieldEvent {
    field: '$.complete'
    value: boolean
  }

  export interface AnnounceRequestRangesStartFieldEvent {
    field: '$.ranges[].start'
    value: number
    index: number
  }

  export interface AnnounceRequestRangesEndFieldEvent {
    field: '$.ranges[].end'
    value: number
    index: number
  }

  export interface AnnounceRequestTicketIdFieldEvent {
    field: '$.ticketId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnounceRequestBytesFromTrackerFieldEvent {
    field: '$.bytesFromTracker'
    value: number
  }

  export interface AnnounceRequestBytesFromPeersFieldEvent {
    field: '$.bytesFromPeers'
    value: number
  }

  export interface AnnounceRequestSuccessFieldEvent {
    field: '$.success'
    value: boolean
  }

  export interface AnnounceRequestProviderFieldEvent {
    field: '$.provider'
    value: string
  }

  export interface AnnounceRequestReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface AnnounceRequestRequestIdFieldEvent {
    field: '$.requestId'
    value: string
  }

  export interface AnnounceRequestBitfieldFieldEvent {
    field: '$.bitfield'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AnnounceRequestReachabilityFieldEvent {
    field: '$.reachability'
    value: string
  }

  export function encode (obj: Partial<AnnounceRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AnnounceRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceRequest>): AnnounceRequest {
    return decodeMessage(buf, AnnounceRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceRequest>): Generator<AnnounceRequestTypeFieldEvent | AnnounceRequestCidFieldEvent | AnnounceRequestCompleteFieldEvent | AnnounceRequestRangesStartFieldEvent | AnnounceRequestRangesEndFieldEvent | AnnounceRequestTicketIdFieldEvent | AnnounceRequestBytesFromTrackerFieldEvent | AnnounceRequestBytesFromPeersFieldEvent | AnnounceRequestSuccessFieldEvent | AnnounceRequestProviderFieldEvent | AnnounceRequestReasonFieldEvent | AnnounceRequestRequestIdFieldEvent | AnnounceRequestBitfieldFieldEvent | AnnounceRequestReachabilityFieldEvent> {
    return streamMessage(buf, AnnounceRequest.codec(), opts)
  }
}

export interface AnnounceResponse {
  ok: boolean
  message: string
  ticket: Uint8Array<ArrayBuffer>
}

export namespace AnnounceResponse {
  let _codec: Codec<AnnounceResponse>

  export const codec = (): Codec<AnnounceResponse> => {
    if (_codec == null) {
      _codec = message<AnnounceResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(8)
          w.bool(obj.ok)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.ticket != null && obj.ticket.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ticket)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          ok: false,
          message: '',
          ticket: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.ok = reader.bool()
              break
            }
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.ticket = reader.bytes()
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
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.message`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ticket`,
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

  export interface AnnounceResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface AnnounceResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export interface AnnounceResponseTicketFieldEvent {
    field: '$.ticket'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AnnounceResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AnnounceResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceResponse>): AnnounceResponse {
    return decodeMessage(buf, AnnounceResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceResponse>): Generator<AnnounceResponseOkFieldEvent | AnnounceResponseMessageFieldEvent | AnnounceResponseTicketFieldEvent> {
    return streamMessage(buf, AnnounceResponse.codec(), opts)
  }
}
