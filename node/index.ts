/**
 * The mediaswarm peer library: everything the tracker and the CLI use from `node/`.
 */
import './polyfill.js'

export * from './errors.js'
export { ensureDir } from './ensure-dir.js'
export { MAX_NAME_BYTES, syncDir, tempPathBeside, writeFileAtomic } from './write-atomic.js'
export type { WriteFileAtomicOptions } from './write-atomic.js'
export * from './host/index.js'
export * from './limits/index.js'
export * from './manifest/index.js'
export * from './protocols/index.js'
export * from './session/index.js'
export * from './store/index.js'
export * from './streams/index.js'
export * from './tickets/index.js'
export * from './streaming/index.js'
export * from './http/index.js'
export * from './peer/index.js'
