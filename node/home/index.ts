export { HomeBusyError, HomeLock, LOCK_FILE, homeOwner, ownerAlive, processStart } from './lock.js'
export type { HomeOwner } from './lock.js'
