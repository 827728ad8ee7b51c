import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TicketProvider {
  peerId: string
  multiaddrs: Uint8Array<ArrayBuffer>[]
}

export namespace TicketProvider {
  let _codec: Codec<TicketProvider>

  export const codec = (): Codec<TicketProvider> => {
    if (_codec == null) {
      _codec = message<TicketProvider>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          multiaddrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              if (obj.multiaddrs.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
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
          multiaddrs: 16
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              if (obj.multiaddrs === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

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

  export interface TicketProviderPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface TicketProviderMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TicketProvider>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TicketProvider.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TicketProvider>): TicketProvider {
    return decodeMessage(buf, TicketProvider.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TicketProvider>): Generator<TicketProviderPeerIdFieldEvent | TicketProviderMultiaddrsFieldEvent> {
    return streamMessage(buf, TicketProvider.codec(), opts)
  }
}

export interface TicketBody {
  version: number
  ticketId: Uint8Array<ArrayBuffer>
  cid: Uint8Array<ArrayBuffer>
  holder: string
  issuer: string
  issuedAt: number
  expiresAt: number
  providers: TicketProvider[]
}

export namespace TicketBody {
  let _codec: Codec<TicketBody>

  export const codec = (): Codec<TicketBody> => {
    if (_codec == null) {
      _codec = message<TicketBody>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.ticketId != null && obj.ticketId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ticketId)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.cid)
        }

        if ((obj.holder != null && obj.holder !== '')) {
          w.uint32(34)
          w.string(obj.holder)
        }

        if ((obj.issuer != null && obj.issuer !== '')) {
          w.uint32(42)
          w.string(obj.issuer)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(56)
          w.uint64Number(obj.expiresAt)
        }

        if (obj.providers != null && obj.providers.length > 0) {
          for (const value of obj.providers) {
            w.uint32(66)
            TicketProvider.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          ticketId: uint8ArrayAlloc(0),
          cid: uint8ArrayAlloc(0),
          holder: '',
          issuer: '',
          issuedAt: 0,
          expiresAt: 0,
          providers: []
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
              obj.ticketId = reader.bytes()
              break
            }
            case 3: {
              obj.cid = reader.bytes()
              break
            }
            case 4: {
              obj.holder = reader.string()
              break
            }
            case 5: {
              obj.issuer = reader.string()
              break
            }
            case 6: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 7: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 8: {
              if (opts.limits?.providers != null && obj.providers.length === opts.limits.providers) {
                throw new MaxLengthError('Decode error - repeated field "providers" had too many elements')
              }

              if (obj.providers.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "providers" had too many elements')
              }

              obj.providers.push(TicketProvider.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.providers$
              }))
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
          providers: 64
        }

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
                field: `${prefix}.ticketId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.holder`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.issuer`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 8: {
              if (opts.limits?.providers != null && obj.providers === opts.limits.providers) {
                throw new MaxLengthError('Streaming decode error - repeated field "providers" had too many elements')
              }

              if (obj.providers === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "providers" had too many elements')
              }

              for (const evt of TicketProvider.codec().stream(reader, reader.uint32(), `${prefix}.providers[]`, {
                limits: opts.limits?.providers$
              })) {
                yield {
                  ...evt,
                  index: obj.providers
                }
              }

              obj.providers++

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

  export interface TicketBodyVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TicketBodyTicketIdFieldEvent {
    field: '$.ticketId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TicketBodyCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TicketBodyHolderFieldEvent {
    field: '$.holder'
    value: string
  }

  export interface TicketBodyIssuerFieldEvent {
    field: '$.issuer'
    value: string
  }

  export interface TicketBodyIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface TicketBodyExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface TicketBodyProvidersPeerIdFieldEvent {
    field: '$.providers[].peerId'
    value: string
    index: number
  }

  export interface TicketBodyProvidersMultiaddrsFieldEvent {
    field: '$.providers[].multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TicketBody>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TicketBody.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TicketBody>): TicketBody {
    return decodeMessage(buf, TicketBody.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TicketBody>): Generator<TicketBodyVersionFieldEvent | TicketBodyTicketIdFieldEvent | TicketBodyCidFieldEvent | TicketBodyHolderFieldEvent | TicketBodyIssuerFieldEvent | TicketBodyIssuedAtFieldEvent | TicketBodyExpiresAtFieldEvent | TicketBodyProvidersPeerIdFieldEvent | TicketBodyProvidersMultiaddrsFieldEvent> {
    return streamMessage(buf, TicketBody.codec(), opts)
  }
}

export interface SignedTicket {
  body: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace SignedTicket {
  let _codec: Codec<SignedTicket>

  export const codec = (): Codec<SignedTicket> => {
    if (_codec == null) {
      _codec = message<SignedTicket>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.body)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.bytes()
              break
            }
            case 2: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.body`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
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

  export interface SignedTicketBodyFieldEvent {
    field: '$.body'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedTicketSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SignedTicket>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedTicket.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedTicket>): SignedTicket {
    return decodeMessage(buf, SignedTicket.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedTicket>): Generator<SignedTicketBodyFieldEvent | SignedTicketSignatureFieldEvent> {
    return streamMessage(buf, SignedTicket.codec(), opts)
  }
}
