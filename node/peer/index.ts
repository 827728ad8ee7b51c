export { Peer, cidString } from './peer.js'
export type { PeerInit, PeerDownloadEvent, PeerDownloadOptions, PeerDownloadResult } from './peer.js'
export { exportFile } from './export-file.js'
