import { createServer } from 'node:net'
import { BusyError } from './errors.js'

/**
 * Checks that every fixed TCP port among `listen` is free, so a second tracker on a busy
 * port is refused in one sentence before it hashes the library. (libp2p binds again for
 * real right after; a port taken in between fails there, mapped to the same sentence.)
 */
export async function checkPortsFree (listen: string[]): Promise<void> {
  for (const addr of listen) {
    const m = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d+)/.exec(addr)
    if (m == null || m[3] === '0') continue
    const port = Number(m[3])
    const code = await new Promise<string | undefined>(resolve => {
      const server = createServer()
      server.once('error', (err: NodeJS.ErrnoException) => { resolve(err.code) })
      server.listen({ host: m[2], port, exclusive: true }, () => { server.close(() => { resolve(undefined) }) })
    })
    if (code === 'EADDRINUSE') throw portInUse(addr)
  }
}

/** The one sentence for a listen address in use. */
export function portInUse (addr: string): BusyError {
  return new BusyError(`The listen address ${addr} is already in use (is another tracker running?); choose another port with --listen, e.g. --listen /ip4/0.0.0.0/tcp/4002.`)
}
