import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { ensureDir } from '../ensure-dir.js'
import { writeFileAtomic } from '../write-atomic.js'
import type { PrivateKey } from '@libp2p/interface'

/** File name of the identity key inside a home folder. */
export const IDENTITY_FILE = 'identity.key'

/**
 * Loads the Ed25519 key of `home`, creating it (mode 0600, folder 0700) on first use, so a
 * node keeps its PeerId across restarts. The key is written to a temporary file, flushed to
 * the device and hard-linked into place: a crash never leaves a half-written key, and two
 * first starts racing each other agree on one key.
 */
export async function loadOrCreateIdentity (home: string): Promise<PrivateKey> {
  const path = join(home, IDENTITY_FILE)
  try {
    return privateKeyFromProtobuf(await readFile(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await ensureDir(home, 0o700)
  const key = await generateKeyPair('Ed25519')
  try {
    await writeFileAtomic(path, privateKeyToProtobuf(key), { mode: 0o600, exclusive: true })
    return key
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return privateKeyFromProtobuf(await readFile(path))
  }
}
