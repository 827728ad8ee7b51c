import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { IncomingMessage } from 'node:http'

/** The operator's token file in the tracker's home (mode 0600). */
export const HTTP_TOKEN_FILE = 'http-token'

/** A token is 32 random bytes written as 64 lower-case hex digits. */
const TOKEN_PATTERN = /^[0-9a-f]{64}$/

/** The token file holds something else than a token. */
export class BadTokenFileError extends Error {
  constructor (path: string) {
    super(`${path} does not hold an operator token (64 hex digits): delete it and a new one is made at the next start`)
    this.name = 'BadTokenFileError'
  }
}

/**
 * The operator's token: read from `<home>/http-token`, or created there on first start (32
 * random bytes in hex, mode 0600 whatever the umask; `wx` so a file that appears meanwhile is
 * never overwritten).
 *
 * @throws BadTokenFileError when the file exists but holds something else
 */
export async function loadOrCreateToken (home: string): Promise<string> {
  const path = join(home, HTTP_TOKEN_FILE)
  try {
    const text = (await readFile(path, 'utf8')).trim()
    if (!TOKEN_PATTERN.test(text)) throw new BadTokenFileError(path)
    return text
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = randomBytes(32).toString('hex')
  const file = await open(path, 'wx', 0o600)
  try {
    await file.writeFile(token + '\n')
    await file.sync()
  } finally {
    await file.close()
  }
  await chmod(path, 0o600)
  return token
}

/** The token a request carries: `Authorization: Bearer <token>`, else `?token=`. */
export function tokenOf (req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (m != null) return m[1]
  }
  return url.searchParams.get('token') ?? undefined
}

/**
 * Whether `given` is the operator's token, in time independent of where they differ and of
 * `given`'s length (both are hashed to 32 bytes before the constant-time comparison).
 */
export function tokenMatches (expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}
