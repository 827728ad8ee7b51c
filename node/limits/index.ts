export { TokenBucket } from './token-bucket.js'
export type { TokenBucketInit } from './token-bucket.js'
