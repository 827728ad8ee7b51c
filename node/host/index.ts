export { createHost, MAX_STREAM_WINDOW } from './create-host.js'
export type { Host, HostInit, HostServices } from './create-host.js'
export { loadOrCreateIdentity, IDENTITY_FILE } from './identity.js'
