import { isIP } from 'node:net'
import { UsageError } from './command.js'
import { BusyError } from './errors.js'
import { checkPortsFree } from './port-check.js'

/** Where `tracker --http` serves the web app. */
export interface HttpAddress {
  host: string
  port: number
}

const USAGE = 'expected ADDR:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080'

/**
 * Parses `--http ADDR:PORT` (an IPv6 address in brackets); a bare `PORT` means
 * 127.0.0.1:PORT. Only IP addresses and `localhost` are accepted: a host name would bind
 * whatever it resolves to.
 *
 * @throws UsageError on anything else
 */
export function parseHttpAddress (text: string): HttpAddress {
  const raw = text.trim()
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw) ?? /^()()(\d{1,5})$/.exec(raw)
  if (m == null) throw new UsageError(`The --http value "${text}" is not an address and port (${USAGE}).`)
  const host = m[1] !== undefined && m[1] !== '' ? m[1] : m[2] !== undefined && m[2] !== '' ? m[2] : '127.0.0.1'
  const port = Number(m[3])
  if (port > 65535) throw new UsageError(`The --http port ${port} is not a TCP port (0 to 65535).`)
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`The --http address ${host} is not an IP address (${USAGE}).`)
  return { host: host === 'localhost' ? '127.0.0.1' : host, port }
}

/** Refuses, in one sentence, an HTTP address whose port is taken (before the library is hashed). */
export async function checkHttpFree (addr: HttpAddress): Promise<void> {
  const ma = `/${isIP(addr.host) === 6 ? 'ip6' : 'ip4'}/${addr.host}/tcp/${addr.port}`
  try {
    await checkPortsFree([ma])
  } catch (err) {
    if (err instanceof BusyError) throw httpInUse(addr)
    throw err
  }
}

/** The one sentence for an HTTP address in use. */
export function httpInUse (addr: HttpAddress): BusyError {
  return new BusyError(`The web address ${addr.host}:${addr.port} is already in use; choose another port with --http, e.g. --http 127.0.0.1:8081.`)
}
