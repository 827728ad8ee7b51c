import { readFileSync } from 'node:fs'

/** The version in package.json (two folders up from dist/cli/), read once at start. */
function readVersion (): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** This program's version. */
export const VERSION = readVersion()
