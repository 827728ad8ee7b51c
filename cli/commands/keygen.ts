import { resolve } from 'node:path'
import { generateNetworkKey, writeFileAtomic } from '../../node/index.js'
import { OutputError } from '../command.js'
import { summaryOf } from './registry.js'
import type { Command } from '../command.js'

/** Where `keygen` writes unless told otherwise (the name libp2p and IPFS use). */
export const DEFAULT_KEY_FILE = 'swarm.key'

/** What `keygen` reports. */
export interface KeygenResult {
  path: string
}

/** `mediaswarm keygen`: write a new network key for a closed network. */
export const keygenCommand: Command<KeygenResult> = {
  name: 'keygen',
  summary: summaryOf('keygen'),
  usage: 'keygen [-o FILE] [--json]',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', description: `file to create, mode 0600; never overwritten (default ./${DEFAULT_KEY_FILE})` },
    json: { type: 'boolean', description: 'print the path as JSON' }
  },
  async run (ctx) {
    const path = resolve(ctx.cwd, typeof ctx.options.output === 'string' ? ctx.options.output : DEFAULT_KEY_FILE)
    try {
      // exclusive: an existing key is never replaced, or every node using it would be locked
      // out; written whole and synced, so a crash never leaves a half key behind
      await writeFileAtomic(path, generateNetworkKey(), { mode: 0o600, exclusive: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputError(`${path} already exists; keygen never overwrites a key (choose another file with -o)`, { cause: err })
      throw new OutputError(`Cannot write ${path}`, { cause: err })
    }
    return { path }
  },
  render: (r) => `wrote ${r.path}; keep it secret and start the tracker and every peer with --psk ${r.path}`
}
