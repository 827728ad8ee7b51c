import { MemoryDatastore } from 'datastore-core'
import { ownBytes } from '../own-bytes.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Key } from 'interface-datastore'

/**
 * libp2p's in-memory datastore (it holds the peer store's records), keeping every value in
 * a buffer of its own. The peer store encodes each record into a slice of Node's 8 KiB
 * Buffer pool, so a record of a few hundred bytes kept a whole slab alive: on a tracker that
 * sees many peers come and go, the peer store's records are most of what grows (a soak run:
 * 453 pinned slabs after 657 peers, most held by peer records).
 */
export class CompactMemoryDatastore extends MemoryDatastore {
  override put (key: Key, val: Uint8Array, options?: AbortOptions): Key | Promise<Key> {
    return super.put(key, ownBytes(val), options)
  }
}
