import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CatalogueRequest {
  type: CatalogueRequest.Type
  query: string
  offset: number
  limit: number
  cid: Uint8Array<ArrayBuffer>
}

export namespace CatalogueRequest {
  export enum Type {
    LIST = 'LIST',
    MANIFEST = 'MANIFEST'
  }

  enum __TypeValues {
    LIST = 0,
    MANIFEST = 1
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<CatalogueRequest>

  export const codec = (): Codec<CatalogueRequest> => {
    if (_codec == null) {
      _codec = message<CatalogueRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          CatalogueRequest.Type.codec().encode(obj.type, w)
        }

        if ((obj.query != null && obj.query !== '')) {
          w.uint32(18)
          w.string(obj.query)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(24)
          w.uint32(obj.offset)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(32)
          w.uint32(obj.limit)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.cid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.LIST,
          query: '',
          offset: 0,
          limit: 0,
          cid: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = CatalogueRequest.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.query = reader.string()
              break
            }
            case 3: {
              obj.offset = reader.uint32()
              break
            }
            case 4: {
              obj.limit = reader.uint32()
              break
            }
            case 5: {
              obj.cid = reader.bytes()
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
                value: CatalogueRequest.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.query`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.cid`,
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

  export interface CatalogueRequestTypeFieldEvent {
    field: '$.type'
    value: CatalogueRequest.Type
  }

  export interface CatalogueRequestQueryFieldEvent {
    field: '$.query'
    value: string
  }

  export interface CatalogueRequestOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface CatalogueRequestLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface CatalogueRequestCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CatalogueRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogueRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueRequest>): CatalogueRequest {
    return decodeMessage(buf, CatalogueRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueRequest>): Generator<CatalogueRequestTypeFieldEvent | CatalogueRequestQueryFieldEvent | CatalogueRequestOffsetFieldEvent | CatalogueRequestLimitFieldEvent | CatalogueRequestCidFieldEvent> {
    return streamMessage(buf, CatalogueRequest.codec(), opts)
  }
}

export interface CatalogueItem {
  cid: Uint8Array<ArrayBuffer>
  path: string
  size: number
  mime: string
  title?: string
  artist?: string
  album?: string
  duration?: number
  bitrate?: number
  codecs: string[]
  width?: number
  height?: number
  mtime: number
}

export namespace CatalogueItem {
  let _codec: Codec<CatalogueItem>

  export const codec = (): Codec<CatalogueItem> => {
    if (_codec == null) {
      _codec = message<CatalogueItem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(18)
          w.string(obj.path)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.mime != null && obj.mime !== '')) {
          w.uint32(34)
          w.string(obj.mime)
        }

        if (obj.title != null) {
          w.uint32(42)
          w.string(obj.title)
        }

        if (obj.artist != null) {
          w.uint32(50)
          w.string(obj.artist)
        }

        if (obj.album != null) {
          w.uint32(58)
          w.string(obj.album)
        }

        if (obj.duration != null) {
          w.uint32(65)
          w.double(obj.duration)
        }

        if (obj.bitrate != null) {
          w.uint32(72)
          w.uint32(obj.bitrate)
        }

        if (obj.codecs != null && obj.codecs.length > 0) {
          for (const value of obj.codecs) {
            w.uint32(82)
            w.string(value)
          }
        }

        if (obj.width != null) {
          w.uint32(88)
          w.uint32(obj.width)
        }

        if (obj.height != null) {
          w.uint32(96)
          w.uint32(obj.height)
        }

        if ((obj.mtime != null && obj.mtime !== 0)) {
          w.uint32(104)
          w.uint64Number(obj.mtime)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          path: '',
          size: 0,
          mime: '',
          codecs: [],
          mtime: 0
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
              obj.path = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.mime = reader.string()
              break
            }
            case 5: {
              obj.title = reader.string()
              break
            }
            case 6: {
              obj.artist = reader.string()
              break
            }
            case 7: {
              obj.album = reader.string()
              break
            }
            case 8: {
              obj.duration = reader.double()
              break
            }
            case 9: {
              obj.bitrate = reader.uint32()
              break
            }
            case 10: {
              if (opts.limits?.codecs != null && obj.codecs.length === opts.limits.codecs) {
                throw new MaxLengthError('Decode error - repeated field "codecs" had too many elements')
              }

              if (obj.codecs.length === 8) {
                throw new MaxLengthError('Decode error - repeated field "codecs" had too many elements')
              }

              obj.codecs.push(reader.string())
              break
            }
            case 11: {
              obj.width = reader.uint32()
              break
            }
            case 12: {
              obj.height = reader.uint32()
              break
            }
            case 13: {
              obj.mtime = reader.uint64Number()
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
          codecs: 8
        }

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
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mime`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.title`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.artist`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.album`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.duration`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.bitrate`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              if (opts.limits?.codecs != null && obj.codecs === opts.limits.codecs) {
                throw new MaxLengthError('Streaming decode error - repeated field "codecs" had too many elements')
              }

              if (obj.codecs === 8) {
                throw new MaxLengthError('Streaming decode error - repeated field "codecs" had too many elements')
              }

              yield {
                field: `${prefix}.codecs[]`,
                index: obj.codecs,
                value: reader.string()
              }

              obj.codecs++

              break
            }
            case 11: {
              yield {
                field: `${prefix}.width`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.height`,
                value: reader.uint32()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.mtime`,
                value: reader.uint64Number()
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

  export interface CatalogueItemCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CatalogueItemPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface CatalogueItemSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface CatalogueItemMimeFieldEvent {
    field: '$.mime'
    value: string
  }

  export interface CatalogueItemTitleFieldEvent {
    field: '$.title'
    value: string
  }

  export interface CatalogueItemArtistFieldEvent {
    field: '$.artist'
    value: string
  }

  export interface CatalogueItemAlbumFieldEvent {
    field: '$.album'
    value: string
  }

  export interface CatalogueItemDurationFieldEvent {
    field: '$.duration'
    value: number
  }

  export interface CatalogueItemBitrateFieldEvent {
    field: '$.bitrate'
    value: number
  }

  export interface CatalogueItemCodecsFieldEvent {
    field: '$.codecs[]'
    index: number
    value: string
  }

  export interface CatalogueItemWidthFieldEvent {
    field: '$.width'
    value: number
  }

  export interface CatalogueItemHeightFieldEvent {
    field: '$.height'
    value: number
  }

  export interface CatalogueItemMtimeFieldEvent {
    field: '$.mtime'
    value: number
  }

  export function encode (obj: Partial<CatalogueItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogueItem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueItem>): CatalogueItem {
    return decodeMessage(buf, CatalogueItem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueItem>): Generator<CatalogueItemCidFieldEvent | CatalogueItemPathFieldEvent | CatalogueItemSizeFieldEvent | CatalogueItemMimeFieldEvent | CatalogueItemTitleFieldEvent | CatalogueItemArtistFieldEvent | CatalogueItemAlbumFieldEvent | CatalogueItemDurationFieldEvent | CatalogueItemBitrateFieldEvent | CatalogueItemCodecsFieldEvent | CatalogueItemWidthFieldEvent | CatalogueItemHeightFieldEvent | CatalogueItemMtimeFieldEvent> {
    return streamMessage(buf, CatalogueItem.codec(), opts)
  }
}

export interface CatalogueResponse {
  status: CatalogueResponse.Status
  items: CatalogueItem[]
  total: number
  manifest: Uint8Array<ArrayBuffer>
  message: string
}

export namespace CatalogueResponse {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    BAD_REQUEST = 'BAD_REQUEST'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    BAD_REQUEST = 2
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<CatalogueResponse>

  export const codec = (): Codec<CatalogueResponse> => {
    if (_codec == null) {
      _codec = message<CatalogueResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          CatalogueResponse.Status.codec().encode(obj.status, w)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(18)
            CatalogueItem.codec().encode(value, w)
          }
        }

        if ((obj.total != null && obj.total !== 0)) {
          w.uint32(24)
          w.uint32(obj.total)
        }

        if ((obj.manifest != null && obj.manifest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.manifest)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(42)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          items: [],
          total: 0,
          manifest: uint8ArrayAlloc(0),
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = CatalogueResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              if (obj.items.length === 1000) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(CatalogueItem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 3: {
              obj.total = reader.uint32()
              break
            }
            case 4: {
              obj.manifest = reader.bytes()
              break
            }
            case 5: {
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
        const obj = {
          items: 1000
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: CatalogueResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              if (obj.items === 1000) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of CatalogueItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.total`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.manifest`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
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

  export interface CatalogueResponseStatusFieldEvent {
    field: '$.status'
    value: CatalogueResponse.Status
  }

  export interface CatalogueResponseItemsCidFieldEvent {
    field: '$.items[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CatalogueResponseItemsPathFieldEvent {
    field: '$.items[].path'
    value: string
    index: number
  }

  export interface CatalogueResponseItemsSizeFieldEvent {
    field: '$.items[].size'
    value: number
    index: number
  }

  export interface CatalogueResponseItemsMimeFieldEvent {
    field: '$.items[].mime'
    value: string
    index: number
  }

  export interface CatalogueResponseItemsTitleFieldEvent {
    field: '$.items[].title'
    value: string
    index: number
  }

  export interface CatalogueResponseItemsArtistFieldEvent {
    field: '$.items[].artist'
    value: string
    index: number
  }

  export interface CatalogueResponseItemsAlbumFieldEvent {
    field: '$.items[].album'
    value: string
    index: number
  }

  export interface CatalogueResponseItemsDurationFieldEvent {
    field: '$.items[].duration'
    value: number
    index: number
  }

  export interface CatalogueResponseItemsBitrateFieldEvent {
    field: '$.items[].bitrate'
    value: number
    index: number
  }

  export interface CatalogueResponseItemsCodecsFieldEvent {
    field: '$.items[].codecs[]'
    index: number
    value: string
  }

  export interface CatalogueResponseItemsWidthFieldEvent {
    field: '$.items[].width'
    value: number
    index: number
  }

  export interface CatalogueResponseItemsHeightFieldEvent {
    field: '$.items[].height'
    value: number
    index: number
  }

  export interface CatalogueResponseItemsMtimeFieldEvent {
    field: '$.items[].mtime'
    value: number
    index: number
  }

  export interface CatalogueResponseTotalFieldEvent {
    field: '$.total'
    value: number
  }

  export interface CatalogueResponseManifestFieldEvent {
    field: '$.manifest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CatalogueResponseMessageFieldEvent {
    field: '$.message'
    value: string
  }

  export function encode (obj: Partial<CatalogueResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogueResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueResponse>): CatalogueResponse {
    return decodeMessage(buf, CatalogueResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueResponse>): Generator<CatalogueResponseStatusFieldEvent | CatalogueResponseItemsCidFieldEvent | CatalogueResponseItemsPathFieldEvent | CatalogueResponseItemsSizeFieldEvent | CatalogueResponseItemsMimeFieldEvent | CatalogueResponseItemsTitleFieldEvent | CatalogueResponseItemsArtistFieldEvent | CatalogueResponseItemsAlbumFieldEvent | CatalogueResponseItemsDurationFieldEvent | CatalogueResponseItemsBitrateFieldEvent | CatalogueResponseItemsCodecsFieldEvent | CatalogueResponseItemsWidthFieldEvent | CatalogueResponseItemsHeightFieldEvent | CatalogueResponseItemsMtimeFieldEvent | CatalogueResponseTotalFieldEvent | CatalogueResponseManifestFieldEvent | CatalogueResponseMessageFieldEvent> {
    return streamMessage(buf, CatalogueResponse.codec(), opts)
  }
}
