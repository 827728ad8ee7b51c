export { ProviderIndex } from './provider-index.js'
export type { Holding, ProviderIndexInit, ReportOutcome } from './provider-index.js'
export { holdingBits } from './holding-bits.js'
export type { AnnouncedHolding } from './holding-bits.js'
