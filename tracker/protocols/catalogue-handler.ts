import { CID } from 'multiformats/cid'
import {
  CatalogueRequest, CatalogueResponse, FIRST_MESSAGE_TIMEOUT_MS, MAX_PAGE_ITEMS, MAX_REQUEST_BYTES, StreamReader, expectMessage, withDeadline, writeMessage
} from '../../node/index.js'
import { toWireItem } from '../catalogue/index.js'
import { trackerStatus } from './tracker-status.js'
import type { TrackerContext } from './context.js'
import type { Connection, Stream } from '@libp2p/interface'

/** Answers one catalogue request: a page of items, or a manifest by cid. */
export async function handleCatalogue (ctx: TrackerContext, stream: Stream, connection: Connection): Promise<void> {
  const reader = new StreamReader(stream)
  const req = await withDeadline(FIRST_MESSAGE_TIMEOUT_MS, async (signal) => await expectMessage(reader, CatalogueRequest, MAX_REQUEST_BYTES, signal))
  const reply = async (fields: Partial<CatalogueResponse>): Promise<void> => {
    await writeMessage(stream, { status: CatalogueResponse.Status.OK, items: [], total: 0, manifest: new Uint8Array(0), message: '', ...fields }, CatalogueResponse)
    await stream.close()
  }
  if (req.type === CatalogueRequest.Type.LIST) {
    const limit = req.limit === 0 ? MAX_PAGE_ITEMS : Math.min(req.limit, MAX_PAGE_ITEMS)
    const page = ctx.catalogue.list(req.query.slice(0, 200), req.offset, limit)
    await reply({ items: page.items.map(toWireItem), total: page.total })
    return
  }
  if (req.type === CatalogueRequest.Type.MANIFEST) {
    let cid: CID
    try {
      cid = CID.decode(req.cid)
    } catch {
      await reply({ status: CatalogueResponse.Status.BAD_REQUEST, message: 'Malformed cid' })
      return
    }
    const manifest = await ctx.catalogue.manifest(cid.toString())
    if (manifest == null) {
      await reply({ status: CatalogueResponse.Status.NOT_FOUND, message: `No file with cid ${cid.toString()}` })
      return
    }
    await reply({ manifest: new Uint8Array(manifest) })
    return
  }
  if (req.type === CatalogueRequest.Type.STATUS) {
    await reply({ tracker: trackerStatus(ctx, connection.remotePeer.toString()) })
    return
  }
  await reply({ status: CatalogueResponse.Status.BAD_REQUEST, message: 'Unknown request type' })
}
