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
    MANIFEST = 'MANIFEST',
    STATUS = 'STATUS'
  }

  enum __TypeValues {
    LIST = 0,
    MANIFEST = 1,
    STATUS = 2
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

export interface FileStatus {
  cid: Uint8Array<ArrayBuffer>
  path: string
  size: number
  servedByTracker: number
  servedByPeers: number
  completed: number
  providers: number
  holders: string[]
}

export namespace FileStatus {
  let _codec: Codec<FileStatus>

  export const codec = (): Codec<FileStatus> => {
    if (_codec == null) {
      _codec = message<FileStatus>((obj, w, opts = {}) => {
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

        if ((obj.servedByTracker != null && obj.servedByTracker !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.servedByTracker)
        }

        if ((obj.servedByPeers != null && obj.servedByPeers !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.servedByPeers)
        }

        if ((obj.completed != null && obj.completed !== 0)) {
          w.uint32(48)
          w.uint32(obj.completed)
        }

        if ((obj.providers != null && obj.providers !== 0)) {
          w.uint32(56)
          w.uint32(obj.providers)
        }

        if (obj.holders != null && obj.holders.length > 0) {
          for (const value of obj.holders) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0),
          path: '',
          size: 0,
          servedByTracker: 0,
          servedByPeers: 0,
          completed: 0,
          providers: 0,
          holders: []
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
              obj.servedByTracker = reader.uint64Number()
              break
            }
            case 5: {
              obj.servedByPeers = reader.uint64Number()
              break
            }
            case 6: {
              obj.completed = reader.uint32()
              break
            }
            case 7: {
              obj.providers = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.holders != null && obj.holders.length === opts.limits.holders) {
                throw new MaxLengthError('Decode error - repeated field "holders" had too many elements')
              }

              if (obj.holders.length === 1000) {
                throw new MaxLengthError('Decode error - repeated field "holders" had too many elements')
              }

              obj.holders.push(reader.string())
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
          holders: 1000
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
                field: `${prefix}.servedByTracker`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.servedByPeers`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.completed`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.providers`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              if (opts.limits?.holders != null && obj.holders === opts.limits.holders) {
                throw new MaxLengthError('Streaming decode error - repeated field "holders" had too many elements')
              }

              if (obj.holders === 1000) {
                throw new MaxLengthError('Streaming decode error - repeated field "holders" had too many elements')
              }

              yield {
                field: `${prefix}.holders[]`,
                index: obj.holders,
                value: reader.string()
              }

              obj.holders++

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

  export interface FileStatusCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileStatusPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface FileStatusSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface FileStatusServedByTrackerFieldEvent {
    field: '$.servedByTracker'
    value: number
  }

  export interface FileStatusServedByPeersFieldEvent {
    field: '$.servedByPeers'
    value: number
  }

  export interface FileStatusCompletedFieldEvent {
    field: '$.completed'
    value: number
  }

  export interface FileStatusProvidersFieldEvent {
    field: '$.providers'
    value: number
  }

  export interface FileStatusHoldersFieldEvent {
    field: '$.holders[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<FileStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileStatus>): FileStatus {
    return decodeMessage(buf, FileStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileStatus>): Generator<FileStatusCidFieldEvent | FileStatusPathFieldEvent | FileStatusSizeFieldEvent | FileStatusServedByTrackerFieldEvent | FileStatusServedByPeersFieldEvent | FileStatusCompletedFieldEvent | FileStatusProvidersFieldEvent | FileStatusHoldersFieldEvent> {
    return streamMessage(buf, FileStatus.codec(), opts)
  }
}

export interface QueueStatus {
  peerId: string
  cid: Uint8Array<ArrayBuffer>
  granted: boolean
  since: number
}

export namespace QueueStatus {
  let _codec: Codec<QueueStatus>

  export const codec = (): Codec<QueueStatus> => {
    if (_codec == null) {
      _codec = message<QueueStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cid)
        }

        if ((obj.granted != null && obj.granted !== false)) {
          w.uint32(24)
          w.bool(obj.granted)
        }

        if ((obj.since != null && obj.since !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.since)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          cid: uint8ArrayAlloc(0),
          granted: false,
          since: 0
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
              obj.cid = reader.bytes()
              break
            }
            case 3: {
              obj.granted = reader.bool()
              break
            }
            case 4: {
              obj.since = reader.uint64Number()
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
                field: `${prefix}.peerId`,
                value: reader.string()
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
                field: `${prefix}.granted`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.since`,
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

  export interface QueueStatusPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface QueueStatusCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface QueueStatusGrantedFieldEvent {
    field: '$.granted'
    value: boolean
  }

  export interface QueueStatusSinceFieldEvent {
    field: '$.since'
    value: number
  }

  export function encode (obj: Partial<QueueStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, QueueStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueStatus>): QueueStatus {
    return decodeMessage(buf, QueueStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<QueueStatus>): Generator<QueueStatusPeerIdFieldEvent | QueueStatusCidFieldEvent | QueueStatusGrantedFieldEvent | QueueStatusSinceFieldEvent> {
    return streamMessage(buf, QueueStatus.codec(), opts)
  }
}

export interface TrackerStatus {
  peerId: string
  files: number
  slots: number
  waiting: number
  granted: number
  connectedPeers: string[]
  transfers: FileStatus[]
  queue: QueueStatus[]
  uptimeMs: number
  operator: boolean
  connected: number
  reachability?: ReachabilityCounts
  peers: PeerReachability[]
  relayReserved: number
  relaySlots: number
}

export namespace TrackerStatus {
  let _codec: Codec<TrackerStatus>

  export const codec = (): Codec<TrackerStatus> => {
    if (_codec == null) {
      _codec = message<TrackerStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.files != null && obj.files !== 0)) {
          w.uint32(16)
          w.uint32(obj.files)
        }

        if ((obj.slots != null && obj.slots !== 0)) {
          w.uint32(24)
          w.uint32(obj.slots)
        }

        if ((obj.waiting != null && obj.waiting !== 0)) {
          w.uint32(32)
          w.uint32(obj.waiting)
        }

        if ((obj.granted != null && obj.granted !== 0)) {
          w.uint32(40)
          w.uint32(obj.granted)
        }

        if (obj.connectedPeers != null && obj.connectedPeers.length > 0) {
          for (const value of obj.connectedPeers) {
            w.uint32(50)
            w.string(value)
          }
        }

        if (obj.transfers != null && obj.transfers.length > 0) {
          for (const value of obj.transfers) {
            w.uint32(58)
            FileStatus.codec().encode(value, w)
          }
        }

        if (obj.queue != null && obj.queue.length > 0) {
          for (const value of obj.queue) {
            w.uint32(66)
            QueueStatus.codec().encode(value, w)
          }
        }

        if ((obj.uptimeMs != null && obj.uptimeMs !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.uptimeMs)
        }

        if ((obj.operator != null && obj.operator !== false)) {
          w.uint32(80)
          w.bool(obj.operator)
        }

        if ((obj.connected != null && obj.connected !== 0)) {
          w.uint32(88)
          w.uint32(obj.connected)
        }

        if (obj.reachability != null) {
          w.uint32(98)
          ReachabilityCounts.codec().encode(obj.reachability, w)
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(106)
            PeerReachability.codec().encode(value, w)
          }
        }

        if ((obj.relayReserved != null && obj.relayReserved !== 0)) {
          w.uint32(112)
          w.uint32(obj.relayReserved)
        }

        if ((obj.relaySlots != null && obj.relaySlots !== 0)) {
          w.uint32(120)
          w.uint32(obj.relaySlots)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          files: 0,
          slots: 0,
          waiting: 0,
          granted: 0,
          connectedPeers: [],
          transfers: [],
          queue: [],
          uptimeMs: 0,
          operator: false,
          connected: 0,
          peers: [],
          relayReserved: 0,
          relaySlots: 0
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
              obj.files = reader.uint32()
              break
            }
            case 3: {
              obj.slots = reader.uint32()
              break
            }
            case 4: {
              obj.waiting = reader.uint32()
              break
            }
            case 5: {
              obj.granted = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.connectedPeers != null && obj.connectedPeers.length === opts.limits.connectedPeers) {
                throw new MaxLengthError('Decode error - repeated field "connectedPeers" had too many elements')
              }

              if (obj.connectedPeers.length === 10000) {
                throw new MaxLengthError('Decode error - repeated field "connectedPeers" had too many elements')
              }

              obj.connectedPeers.push(reader.string())
              break
            }
            case 7: {
              if (opts.limits?.transfers != null && obj.transfers.length === opts.limits.transfers) {
                throw new MaxLengthError('Decode error - repeated field "transfers" had too many elements')
              }

              if (obj.transfers.length === 10000) {
                throw new MaxLengthError('Decode error - repeated field "transfers" had too many elements')
              }

              obj.transfers.push(FileStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.transfers$
              }))
              break
            }
            case 8: {
              if (opts.limits?.queue != null && obj.queue.length === opts.limits.queue) {
                throw new MaxLengthError('Decode error - repeated field "queue" had too many elements')
              }

              if (obj.queue.length === 1000) {
                throw new MaxLengthError('Decode error - repeated field "queue" had too many elements')
              }

              obj.queue.push(QueueStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.queue$
              }))
              break
            }
            case 9: {
              obj.uptimeMs = reader.uint64Number()
              break
            }
            case 10: {
              obj.operator = reader.bool()
              break
            }
            case 11: {
              obj.connected = reader.uint32()
              break
            }
            case 12: {
              obj.reachability = ReachabilityCounts.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reachability
              })
              break
            }
            case 13: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              if (obj.peers.length === 10000) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(PeerReachability.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peers$
              }))
              break
            }
            case 14: {
              obj.relayReserved = reader.uint32()
              break
            }
            case 15: {
              obj.relaySlots = reader.uint32()
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
          connectedPeers: 10000,
          transfers: 10000,
          queue: 1000,
          peers: 10000
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
              yield {
                field: `${prefix}.files`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.slots`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.waiting`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.granted`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.connectedPeers != null && obj.connectedPeers === opts.limits.connectedPeers) {
                throw new MaxLengthError('Streaming decode error - repeated field "connectedPeers" had too many elements')
              }

              if (obj.connectedPeers === 10000) {
                throw new MaxLengthError('Streaming decode error - repeated field "connectedPeers" had too many elements')
              }

              yield {
                field: `${prefix}.connectedPeers[]`,
                index: obj.connectedPeers,
                value: reader.string()
              }

              obj.connectedPeers++

              break
            }
            case 7: {
              if (opts.limits?.transfers != null && obj.transfers === opts.limits.transfers) {
                throw new MaxLengthError('Streaming decode error - repeated field "transfers" had too many elements')
              }

              if (obj.transfers === 10000) {
                throw new MaxLengthError('Streaming decode error - repeated field "transfers" had too many elements')
              }

              for (const evt of FileStatus.codec().stream(reader, reader.uint32(), `${prefix}.transfers[]`, {
                limits: opts.limits?.transfers$
              })) {
                yield {
                  ...evt,
                  index: obj.transfers
                }
              }

              obj.transfers++

              break
            }
            case 8: {
              if (opts.limits?.queue != null && obj.queue === opts.limits.queue) {
                throw new MaxLengthError('Streaming decode error - repeated field "queue" had too many elements')
              }

              if (obj.queue === 1000) {
                throw new MaxLengthError('Streaming decode error - repeated field "queue" had too many elements')
              }

              for (const evt of QueueStatus.codec().stream(reader, reader.uint32(), `${prefix}.queue[]`, {
                limits: opts.limits?.queue$
              })) {
                yield {
                  ...evt,
                  index: obj.queue
                }
              }

              obj.queue++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.uptimeMs`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.operator`,
                value: reader.bool()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.connected`,
                value: reader.uint32()
              }
              break
            }
            case 12: {
              yield * ReachabilityCounts.codec().stream(reader, reader.uint32(), `${prefix}.reachability`, {
                limits: opts.limits?.reachability
              })

              break
            }
            case 13: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              if (obj.peers === 10000) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              for (const evt of PeerReachability.codec().stream(reader, reader.uint32(), `${prefix}.peers[]`, {
                limits: opts.limits?.peers$
              })) {
                yield {
                  ...evt,
                  index: obj.peers
                }
              }

              obj.peers++

              break
            }
            case 14: {
              yield {
                field: `${prefix}.relayReserved`,
                value: reader.uint32()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.relaySlots`,
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

  export interface TrackerStatusPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface TrackerStatusFilesFieldEvent {
    field: '$.files'
    value: number
  }

  export interface TrackerStatusSlotsFieldEvent {
    field: '$.slots'
    value: number
  }

  export interface TrackerStatusWaitingFieldEvent {
    field: '$.waiting'
    value: number
  }

  export interface TrackerStatusGrantedFieldEvent {
    field: '$.granted'
    value: number
  }

  export interface TrackerStatusConnectedPeersFieldEvent {
    field: '$.connectedPeers[]'
    index: number
    value: string
  }

  export interface TrackerStatusTransfersCidFieldEvent {
    field: '$.transfers[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TrackerStatusTransfersPathFieldEvent {
    field: '$.transfers[].path'
    value: string
    index: number
  }

  export interface TrackerStatusTransfersSizeFieldEvent {
    field: '$.transfers[].size'
    value: number
    index: number
  }

  export interface TrackerStatusTransfersServedByTrackerFieldEvent {
    field: '$.transfers[].servedByTracker'
    value: number
    index: number
  }

  export interface TrackerStatusTransfersServedByPeersFieldEvent {
    field: '$.transfers[].servedByPeers'
    value: number
    index: number
  }

  export interface TrackerStatusTransfersCompletedFieldEvent {
    field: '$.transfers[].completed'
    value: number
    index: number
  }

  export interface TrackerStatusTransfersProvidersFieldEvent {
    field: '$.transfers[].providers'
    value: number
    index: number
  }

  export interface TrackerStatusTransfersHoldersFieldEvent {
    field: '$.transfers[].holders[]'
    index: number
    value: string
  }

  export interface TrackerStatusQueuePeerIdFieldEvent {
    field: '$.queue[].peerId'
    value: string
    index: number
  }

  export interface TrackerStatusQueueCidFieldEvent {
    field: '$.queue[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TrackerStatusQueueGrantedFieldEvent {
    field: '$.queue[].granted'
    value: boolean
    index: number
  }

  export interface TrackerStatusQueueSinceFieldEvent {
    field: '$.queue[].since'
    value: number
    index: number
  }

  export interface TrackerStatusUptimeMsFieldEvent {
    field: '$.uptimeMs'
    value: number
  }

  export interface TrackerStatusOperatorFieldEvent {
    field: '$.operator'
    value: boolean
  }

  export interface TrackerStatusConnectedFieldEvent {
    field: '$.connected'
    value: number
  }

  export interface TrackerStatusReachabilityPublicFieldEvent {
    field: '$.reachability.public'
    value: number
  }

  export interface TrackerStatusReachabilityUpnpFieldEvent {
    field: '$.reachability.upnp'
    value: number
  }

  export interface TrackerStatusReachabilityHolePunchedFieldEvent {
    field: '$.reachability.holePunched'
    value: number
  }

  export interface TrackerStatusReachabilityRelayOnlyFieldEvent {
    field: '$.reachability.relayOnly'
    value: number
  }

  export interface TrackerStatusReachabilityUnknownFieldEvent {
    field: '$.reachability.unknown'
    value: number
  }

  export interface TrackerStatusPeersPeerIdFieldEvent {
    field: '$.peers[].peerId'
    value: string
    index: number
  }

  export interface TrackerStatusPeersReachabilityFieldEvent {
    field: '$.peers[].reachability'
    value: string
    index: number
  }

  export interface TrackerStatusRelayReservedFieldEvent {
    field: '$.relayReserved'
    value: number
  }

  export interface TrackerStatusRelaySlotsFieldEvent {
    field: '$.relaySlots'
    value: number
  }

  export function encode (obj: Partial<TrackerStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TrackerStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TrackerStatus>): TrackerStatus {
    return decodeMessage(buf, TrackerStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TrackerStatus>): Generator<TrackerStatusPeerIdFieldEvent | TrackerStatusFilesFieldEvent | TrackerStatusSlotsFieldEvent | TrackerStatusWaitingFieldEvent | TrackerStatusGrantedFieldEvent | TrackerStatusConnectedPeersFieldEvent | TrackerStatusTransfersCidFieldEvent | TrackerStatusTransfersPathFieldEvent | TrackerStatusTransfersSizeFieldEvent | TrackerStatusTransfersServedByTrackerFieldEvent | TrackerStatusTransfersServedByPeersFieldEvent | TrackerStatusTransfersCompletedFieldEvent | TrackerStatusTransfersProvidersFieldEvent | TrackerStatusTransfersHoldersFieldEvent | TrackerStatusQueuePeerIdFieldEvent | TrackerStatusQueueCidFieldEvent | TrackerStatusQueueGrantedFieldEvent | TrackerStatusQueueSinceFieldEvent | TrackerStatusUptimeMsFieldEvent | TrackerStatusOperatorFieldEvent | TrackerStatusConnectedFieldEvent | TrackerStatusReachabilityPublicFieldEvent | TrackerStatusReachabilityUpnpFieldEvent | TrackerStatusReachabilityHolePunchedFieldEvent | TrackerStatusReachabilityRelayOnlyFieldEvent | TrackerStatusReachabilityUnknownFieldEvent | TrackerStatusPeersPeerIdFieldEvent | TrackerStatusPeersReachabilityFieldEvent | TrackerStatusRelayReservedFieldEvent | TrackerStatusRelaySlotsFieldEvent> {
    return streamMessage(buf, TrackerStatus.codec(), opts)
  }
}

export interface ReachabilityCounts {
  public: number
  upnp: number
  holePunched: number
  relayOnly: number
  unknown: number
}

export namespace ReachabilityCounts {
  let _codec: Codec<ReachabilityCounts>

  export const codec = (): Codec<ReachabilityCounts> => {
    if (_codec == null) {
      _codec = message<ReachabilityCounts>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.public != null && obj.public !== 0)) {
          w.uint32(8)
          w.uint32(obj.public)
        }

        if ((obj.upnp != null && obj.upnp !== 0)) {
          w.uint32(16)
          w.uint32(obj.upnp)
        }

        if ((obj.holePunched != null && obj.holePunched !== 0)) {
          w.uint32(24)
          w.uint32(obj.holePunched)
        }

        if ((obj.relayOnly != null && obj.relayOnly !== 0)) {
          w.uint32(32)
          w.uint32(obj.relayOnly)
        }

        if ((obj.unknown != null && obj.unknown !== 0)) {
          w.uint32(40)
          w.uint32(obj.unknown)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          public: 0,
          upnp: 0,
          holePunched: 0,
          relayOnly: 0,
          unknown: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.public = reader.uint32()
              break
            }
            case 2: {
              obj.upnp = reader.uint32()
              break
            }
            case 3: {
              obj.holePunched = reader.uint32()
              break
            }
            case 4: {
              obj.relayOnly = reader.uint32()
              break
            }
            case 5: {
              obj.unknown = reader.uint32()
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
                field: `${prefix}.public`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.upnp`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.holePunched`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.relayOnly`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.unknown`,
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

  export interface ReachabilityCountsPublicFieldEvent {
    field: '$.public'
    value: number
  }

  export interface ReachabilityCountsUpnpFieldEvent {
    field: '$.upnp'
    value: number
  }

  export interface ReachabilityCountsHolePunchedFieldEvent {
    field: '$.holePunched'
    value: number
  }

  export interface ReachabilityCountsRelayOnlyFieldEvent {
    field: '$.relayOnly'
    value: number
  }

  export interface ReachabilityCountsUnknownFieldEvent {
    field: '$.unknown'
    value: number
  }

  export function encode (obj: Partial<ReachabilityCounts>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReachabilityCounts.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReachabilityCounts>): ReachabilityCounts {
    return decodeMessage(buf, ReachabilityCounts.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReachabilityCounts>): Generator<ReachabilityCountsPublicFieldEvent | ReachabilityCountsUpnpFieldEvent | ReachabilityCountsHolePunchedFieldEvent | ReachabilityCountsRelayOnlyFieldEvent | ReachabilityCountsUnknownFieldEvent> {
    return streamMessage(buf, ReachabilityCounts.codec(), opts)
  }
}

export interface PeerReachability {
  peerId: string
  reachability: string
}

export namespace PeerReachability {
  let _codec: Codec<PeerReachability>

  export const codec = (): Codec<PeerReachability> => {
    if (_codec == null) {
      _codec = message<PeerReachability>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.reachability != null && obj.reachability !== '')) {
          w.uint32(18)
          w.string(obj.reachability)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          reachability: ''
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

  export interface PeerReachabilityPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface PeerReachabilityReachabilityFieldEvent {
    field: '$.reachability'
    value: string
  }

  export function encode (obj: Partial<PeerReachability>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PeerReachability.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerReachability>): PeerReachability {
    return decodeMessage(buf, PeerReachability.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerReachability>): Generator<PeerReachabilityPeerIdFieldEvent | PeerReachabilityReachabilityFieldEvent> {
    return streamMessage(buf, PeerReachability.codec(), opts)
  }
}

export interface CatalogueResponse {
  status: CatalogueResponse.Status
  items: CatalogueItem[]
  total: number
  manifest: Uint8Array<ArrayBuffer>
  message: string
  tracker?: TrackerStatus
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

        if (obj.tracker != null) {
          w.uint32(50)
          TrackerStatus.codec().encode(obj.tracker, w)
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
            case 6: {
              obj.tracker = TrackerStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tracker
              })
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
            case 6: {
              yield * TrackerStatus.codec().stream(reader, reader.uint32(), `${prefix}.tracker`, {
                limits: opts.limits?.tracker
              })

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

  export interface CatalogueResponseTrackerPeerIdFieldEvent {
    field: '$.tracker.peerId'
    value: string
  }

  export interface CatalogueResponseTrackerFilesFieldEvent {
    field: '$.tracker.files'
    value: number
  }

  export interface CatalogueResponseTrackerSlotsFieldEvent {
    field: '$.tracker.slots'
    value: number
  }

  export interface CatalogueResponseTrackerWaitingFieldEvent {
    field: '$.tracker.waiting'
    value: number
  }

  export interface CatalogueResponseTrackerGrantedFieldEvent {
    field: '$.tracker.granted'
    value: number
  }

  export interface CatalogueResponseTrackerConnectedPeersFieldEvent {
    field: '$.tracker.connectedPeers[]'
    index: number
    value: string
  }

  export interface CatalogueResponseTrackerTransfersCidFieldEvent {
    field: '$.tracker.transfers[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CatalogueResponseTrackerTransfersPathFieldEvent {
    field: '$.tracker.transfers[].path'
    value: string
    index: number
  }

  export interface CatalogueResponseTrackerTransfersSizeFieldEvent {
    field: '$.tracker.transfers[].size'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerTransfersServedByTrackerFieldEvent {
    field: '$.tracker.transfers[].servedByTracker'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerTransfersServedByPeersFieldEvent {
    field: '$.tracker.transfers[].servedByPeers'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerTransfersCompletedFieldEvent {
    field: '$.tracker.transfers[].completed'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerTransfersProvidersFieldEvent {
    field: '$.tracker.transfers[].providers'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerTransfersHoldersFieldEvent {
    field: '$.tracker.transfers[].holders[]'
    index: number
    value: string
  }

  export interface CatalogueResponseTrackerQueuePeerIdFieldEvent {
    field: '$.tracker.queue[].peerId'
    value: string
    index: number
  }

  export interface CatalogueResponseTrackerQueueCidFieldEvent {
    field: '$.tracker.queue[].cid'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface CatalogueResponseTrackerQueueGrantedFieldEvent {
    field: '$.tracker.queue[].granted'
    value: boolean
    index: number
  }

  export interface CatalogueResponseTrackerQueueSinceFieldEvent {
    field: '$.tracker.queue[].since'
    value: number
    index: number
  }

  export interface CatalogueResponseTrackerUptimeMsFieldEvent {
    field: '$.tracker.uptimeMs'
    value: number
  }

  export interface CatalogueResponseTrackerOperatorFieldEvent {
    field: '$.tracker.operator'
    value: boolean
  }

  export interface CatalogueResponseTrackerConnectedFieldEvent {
    field: '$.tracker.connected'
    value: number
  }

  export interface CatalogueResponseTrackerReachabilityPublicFieldEvent {
    field: '$.tracker.reachability.public'
    value: number
  }

  export interface CatalogueResponseTrackerReachabilityUpnpFieldEvent {
    field: '$.tracker.reachability.upnp'
    value: number
  }

  export interface CatalogueResponseTrackerReachabilityHolePunchedFieldEvent {
    field: '$.tracker.reachability.holePunched'
    value: number
  }

  export interface CatalogueResponseTrackerReachabilityRelayOnlyFieldEvent {
    field: '$.tracker.reachability.relayOnly'
    value: number
  }

  export interface CatalogueResponseTrackerReachabilityUnknownFieldEvent {
    field: '$.tracker.reachability.unknown'
    value: number
  }

  export interface CatalogueResponseTrackerPeersPeerIdFieldEvent {
    field: '$.tracker.peers[].peerId'
    value: string
    index: number
  }

  export interface CatalogueResponseTrackerPeersReachabilityFieldEvent {
    field: '$.tracker.peers[].reachability'
    value: string
    index: number
  }

  export interface CatalogueResponseTrackerRelayReservedFieldEvent {
    field: '$.tracker.relayReserved'
    value: number
  }

  export interface CatalogueResponseTrackerRelaySlotsFieldEvent {
    field: '$.tracker.relaySlots'
    value: number
  }

  export function encode (obj: Partial<CatalogueResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CatalogueResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueResponse>): CatalogueResponse {
    return decodeMessage(buf, CatalogueResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CatalogueResponse>): Generator<CatalogueResponseStatusFieldEvent | CatalogueResponseItemsCidFieldEvent | CatalogueResponseItemsPathFieldEvent | CatalogueResponseItemsSizeFieldEvent | CatalogueResponseItemsMimeFieldEvent | CatalogueResponseItemsTitleFieldEvent | CatalogueResponseItemsArtistFieldEvent | CatalogueResponseItemsAlbumFieldEvent | CatalogueResponseItemsDurationFieldEvent | CatalogueResponseItemsBitrateFieldEvent | CatalogueResponseItemsCodecsFieldEvent | CatalogueResponseItemsWidthFieldEvent | CatalogueResponseItemsHeightFieldEvent | CatalogueResponseItemsMtimeFieldEvent | CatalogueResponseTotalFieldEvent | CatalogueResponseManifestFieldEvent | CatalogueResponseMessageFieldEvent | CatalogueResponseTrackerPeerIdFieldEvent | CatalogueResponseTrackerFilesFieldEvent | CatalogueResponseTrackerSlotsFieldEvent | CatalogueResponseTrackerWaitingFieldEvent | CatalogueResponseTrackerGrantedFieldEvent | CatalogueResponseTrackerConnectedPeersFieldEvent | CatalogueResponseTrackerTransfersCidFieldEvent | CatalogueResponseTrackerTransfersPathFieldEvent | CatalogueResponseTrackerTransfersSizeFieldEvent | CatalogueResponseTrackerTransfersServedByTrackerFieldEvent | CatalogueResponseTrackerTransfersServedByPeersFieldEvent | CatalogueResponseTrackerTransfersCompletedFieldEvent | CatalogueResponseTrackerTransfersProvidersFieldEvent | CatalogueResponseTrackerTransfersHoldersFieldEvent | CatalogueResponseTrackerQueuePeerIdFieldEvent | CatalogueResponseTrackerQueueCidFieldEvent | CatalogueResponseTrackerQueueGrantedFieldEvent | CatalogueResponseTrackerQueueSinceFieldEvent | CatalogueResponseTrackerUptimeMsFieldEvent | CatalogueResponseTrackerOperatorFieldEvent | CatalogueResponseTrackerConnectedFieldEvent | CatalogueResponseTrackerReachabilityPublicFieldEvent | CatalogueResponseTrackerReachabilityUpnpFieldEvent | CatalogueResponseTrackerReachabilityHolePunchedFieldEvent | CatalogueResponseTrackerReachabilityRelayOnlyFieldEvent | CatalogueResponseTrackerReachabilityUnknownFieldEvent | CatalogueResponseTrackerPeersPeerIdFieldEvent | CatalogueResponseTrackerPeersReachabilityFieldEvent | CatalogueResponseTrackerRelayReservedFieldEvent | CatalogueResponseTrackerRelaySlotsFieldEvent> {
    return streamMessage(buf, CatalogueResponse.codec(), opts)
  }
}
