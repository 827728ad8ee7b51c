export { holePunch, HolePunch } from './hole-punch.js'
export type { HolePunchInit, HolePunchComponents, PunchResult } from './hole-punch.js'
export { PUNCH_PROTOCOL } from './constants.js'
export { relayOf, endpointOf } from './observe.js'
