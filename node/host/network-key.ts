import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'

/** First line of a libp2p/IPFS swarm.key (pre-shared network key, v1). */
export const NETWORK_KEY_HEADER = '/key/swarm/psk/1.0.0/'
/** Second line: the encoding of the key on the third. */
const NETWORK_KEY_ENCODING = '/base16/'
/** Key length in bytes (XSalsa20), so 64 hex digits. */
const NETWORK_KEY_BYTES = 32

/** Options of an error: an optional cause. */
interface ErrorOptions { cause?: unknown }

/** A network key file that cannot be read or is not in the swarm.key format. */
export class NetworkKeyError extends Error {
  constructor (message = 'Invalid network key', options?: ErrorOptions) {
    super(message, options)
    this.name = 'NetworkKeyError'
  }
}

/** An allow-list file that cannot be read or holds something other than PeerIds. */
export class AllowListError extends Error {
  constructor (message = 'Invalid allow-list', options?: ErrorOptions) {
    super(message, options)
    this.name = 'AllowListError'
  }
}

/** Options of {@link generateNetworkKey}. */
export interface GenerateNetworkKeyOptions {
  /** Source of the key's bytes. @default node:crypto randomBytes */
  randomBytes?: (length: number) => Uint8Array
}

/**
 * A new pre-shared network key as swarm.key text: the header, `/base16/`, 64 lowercase hex
 * digits and a final newline. Every node of the closed network needs the same file.
 */
export function generateNetworkKey (options: GenerateNetworkKeyOptions = {}): string {
  const bytes = (options.randomBytes ?? nodeRandomBytes)(NETWORK_KEY_BYTES)
  if (bytes.byteLength !== NETWORK_KEY_BYTES) throw new RangeError(`randomBytes returned ${bytes.byteLength} bytes, not ${NETWORK_KEY_BYTES}`)
  return `${NETWORK_KEY_HEADER}\n${NETWORK_KEY_ENCODING}\n${Buffer.from(bytes).toString('hex')}\n`
}

async function readText (path: string, what: string, Err: typeof NetworkKeyError): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message
    throw new Err(`The ${what} ${path} cannot be read (${why}).`, { cause: err })
  }
}

/**
 * Reads and checks a swarm.key file (CRLF, a trailing newline and upper-case hex are
 * accepted) and returns it in the canonical form `createHost({ psk })` takes. Throws
 * NetworkKeyError, with a plain message, on an unreadable or malformed file.
 */
export async function readNetworkKey (path: string): Promise<Uint8Array> {
  const text = await readText(path, 'network key file', NetworkKeyError)
  const lines = text.split(/\r\n|\n|\r/)
  while (lines.length > 3 && lines[lines.length - 1].trim() === '') lines.pop()
  const [header, encoding, hex] = lines.map(l => l.trim())
  if (lines.length !== 3 || header !== NETWORK_KEY_HEADER || encoding !== NETWORK_KEY_ENCODING || !/^[0-9a-fA-F]{64}$/.test(hex ?? '')) {
    throw new NetworkKeyError(`${path} is not a network key: a swarm.key file has three lines, "${NETWORK_KEY_HEADER}", "${NETWORK_KEY_ENCODING}" and ${NETWORK_KEY_BYTES * 2} hex digits.`)
  }
  return new TextEncoder().encode(`${NETWORK_KEY_HEADER}\n${NETWORK_KEY_ENCODING}\n${hex.toLowerCase()}`)
}

/**
 * Reads an allow-list: one PeerId per line; blank lines and `#` comments (whole-line or
 * trailing) are ignored. Returns the PeerIds in canonical form, without duplicates. Throws
 * AllowListError naming the first bad line, or when the file lists no PeerId at all (which
 * would shut every peer out).
 */
export async function readAllowList (path: string): Promise<string[]> {
  const text = await readText(path, 'allow-list', AllowListError)
  // loaded here: a short command that talks to a daemon reads no allow-list and loads no libp2p
  const { peerIdFromString } = await import('@libp2p/peer-id')
  const ids = new Set<string>()
  for (const [i, raw] of text.split(/\r\n|\n|\r/).entries()) {
    const entry = raw.replace(/#.*$/, '').trim()
    if (entry === '') continue
    try {
      ids.add(peerIdFromString(entry).toString())
    } catch (err) {
      throw new AllowListError(`${path} line ${i + 1}: "${entry.length > 80 ? entry.slice(0, 77) + '...' : entry}" is not a PeerId.`, { cause: err })
    }
  }
  if (ids.size === 0) throw new AllowListError(`${path} lists no PeerIds; an empty allow-list would refuse every peer.`)
  return [...ids]
}
