/**
 * The bundled CLI (scripts/bundle-cli.mjs, built by `npm run build`): what each command loads
 * at start. A short command on a home a daemon owns talks to it over the control channel, so
 * `get`, `ls` and `status` must not load libp2p before they know they own the home (that
 * was 0.3 CPU-s of every `get` through a daemon); the commands that run a node do load it.
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const BUNDLE = fileURLToPath(new URL('../../bundle/', import.meta.url))

/** Every bundle file a command's chunk loads through static imports, itself included. */
function staticClosure (command: string): string[] {
  const files = readdirSync(BUNDLE).filter(f => f.endsWith('.js'))
  const start = files.find(f => f.startsWith(`${command}-`))
  assert.ok(start !== undefined, `no chunk for the ${command} command in ${BUNDLE}`)
  const seen = new Set([start])
  const queue = [start]
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const source = readFileSync(BUNDLE + file, 'utf8')
    // static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"`; dynamic import("./x.js") is not followed
    for (const m of source.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w*{}\s,$]*?from\s*)?["']\.\/([\w.-]+\.js)["']/g)) {
      if (!seen.has(m[1])) { seen.add(m[1]); queue.push(m[1]) }
    }
  }
  return [...seen]
}

/** True when one of the files holds libp2p's stream muxer (its protocol id is a string literal). */
function loadsLibp2p (files: string[]): boolean {
  return files.some(f => readFileSync(BUNDLE + f, 'utf8').includes('/yamux/1.0.0'))
}

describe('scripts/bundle-cli: what each command loads at start', function () {
  for (const command of ['get', 'ls', 'status']) {
    it(`${command} loads no libp2p until it must own the home`, function () {
      assert.equal(loadsLibp2p(staticClosure(command)), false)
    })
  }

  it('peer loads libp2p at start (the check can see it)', function () {
    assert.equal(loadsLibp2p(staticClosure('peer')), true)
  })

  it('the CommonJS bundle is ASCII (read as Latin-1 at every start, not decoded from UTF-8)', function () {
    const bytes = readFileSync(BUNDLE + 'cli.cjs')
    const at = bytes.findIndex(b => b > 0x7f)
    assert.equal(at, -1, `a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 60), at + 20).toString('utf8')}`)
  })
})
