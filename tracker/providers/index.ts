export { ProviderIndex } from './provider-index.js'
export type { Holding } from './provider-index.js'
