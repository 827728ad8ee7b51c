import { join } from 'node:path'
import { loadOrCreateIdentity } from '../node/index.js'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { ADMIN_HOME } from './constants.js'

/**
 * The PeerIds that see the operator's view of `status`: those given (for example read from
 * `--admin FILE`), and the tracker's own admin identity, a key kept in `<home>/admin` (created
 * on first start) that `mediaswarm status --home <tracker home>` uses.
 */
export async function adminPeers (home: string, given: string[]): Promise<Set<string>> {
  const key = await loadOrCreateIdentity(join(home, ADMIN_HOME))
  return new Set([peerIdFromPrivateKey(key).toString(), ...given.map(id => peerIdFromString(id).toString())])
}
