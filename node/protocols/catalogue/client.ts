import { InvalidManifestError, NotFoundError, ProtocolError } from '../../errors.js'
import { decodeManifest } from '../../manifest/index.js'
import { StreamReader, expectMessage, writeMessage } from '../../streams/index.js'
import { CATALOGUE_PROTOCOL, MAX_CATALOGUE_RESPONSE_BYTES, RESPONSE_TIMEOUT_MS } from '../constants.js'
import { CatalogueRequest, CatalogueResponse } from './pb/catalogue.js'
import type { Host } from '../../host/index.js'
import type { ManifestInfo } from '../../manifest/index.js'
import type { CatalogueItem, TrackerStatus } from './pb/catalogue.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** One catalogue page. */
export interface CataloguePage {
  items: CatalogueItem[]
  total: number
}

async function exchange (host: Host, tracker: PeerId, request: Partial<CatalogueRequest>, signal?: AbortSignal): Promise<CatalogueResponse> {
  const timeout = AbortSignal.timeout(RESPONSE_TIMEOUT_MS)
  const combined = signal == null ? timeout : AbortSignal.any([signal, timeout])
  const stream = await host.dialProtocol(tracker, CATALOGUE_PROTOCOL, { signal: combined })
  try {
    const reader = new StreamReader(stream)
    await writeMessage(stream, request, CatalogueRequest, combined)
    await stream.close({ signal: combined })
    const response = await expectMessage(reader, CatalogueResponse, MAX_CATALOGUE_RESPONSE_BYTES, combined)
    if (response.status === CatalogueResponse.Status.NOT_FOUND) throw new NotFoundError(response.message)
    if (response.status !== CatalogueResponse.Status.OK) throw new ProtocolError(`Tracker answered: ${response.message}`)
    return response
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Lists one page of the tracker's catalogue, optionally filtered by `query`. */
export async function listCatalogue (host: Host, tracker: PeerId, options: { query?: string, offset?: number, limit?: number, signal?: AbortSignal } = {}): Promise<CataloguePage> {
  const response = await exchange(host, tracker, {
    type: CatalogueRequest.Type.LIST,
    query: options.query ?? '',
    offset: options.offset ?? 0,
    limit: options.limit ?? 0
  }, options.signal)
  return { items: response.items, total: response.total }
}

/** Lists the whole catalogue, page by page. */
export async function listAll (host: Host, tracker: PeerId, query?: string, signal?: AbortSignal): Promise<CatalogueItem[]> {
  const out: CatalogueItem[] = []
  for (;;) {
    const page = await listCatalogue(host, tracker, { query, offset: out.length, signal })
    out.push(...page.items)
    if (page.items.length === 0 || out.length >= page.total) return out
  }
}

/** Asks the tracker what it is doing: queue, connected peers, per-file offload. */
export async function fetchTrackerStatus (host: Host, tracker: PeerId, signal?: AbortSignal): Promise<TrackerStatus> {
  const response = await exchange(host, tracker, { type: CatalogueRequest.Type.STATUS }, signal)
  if (response.tracker == null) throw new ProtocolError('Tracker sent no status')
  return response.tracker
}

/** Fetches a manifest and checks that it hashes to `cid`. */
export async function fetchManifest (host: Host, tracker: PeerId, cid: CID, signal?: AbortSignal): Promise<ManifestInfo> {
  const response = await exchange(host, tracker, { type: CatalogueRequest.Type.MANIFEST, cid: new Uint8Array(cid.bytes) }, signal)
  if (response.manifest.byteLength === 0) throw new InvalidManifestError('Tracker sent no manifest')
  return decodeManifest(response.manifest, cid)
}
