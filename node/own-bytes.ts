/**
 * The bytes in a buffer of their own. What libp2p decodes and encodes (peer records, multiaddrs,
 * PeerIds) is often a view into a larger buffer, typically a slice of Node's 8 KiB Buffer pool:
 * kept for long, a 30-byte view keeps the whole 8 KiB slab alive. Anything cached per peer
 * stores a copy instead (the soak bench's tracker grew by about a slab per new peer).
 */
export function ownBytes (bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes)
}
