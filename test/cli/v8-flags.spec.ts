/**
 * cli/v8-flags: every mediaswarm process but a tracker runs with its V8 flags, set before
 * anything else runs. Observed in a child process through V8's own view of a function
 * (`%GetOptimizationStatus`, with --allow-natives-syntax): with --always-sparkplug a function
 * called once is already baseline code; with V8's defaults it is still interpreted.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const FLAGS_MODULE = new URL('../../cli/v8-flags.js', import.meta.url).href
const BIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))
/** V8's OptimizationStatus bit for Sparkplug (baseline) code. */
const BASELINE = 1 << 15

function statusAfterOneCall (env: NodeJS.ProcessEnv, command = 'get'): number {
  // the command as the bin sees it: process.argv[2]
  const script = `process.argv[2] = ${JSON.stringify(command)};
    await import(${JSON.stringify(FLAGS_MODULE)});
    function probe (a, b) { return a + b }
    probe(1, 2);
    process.stdout.write(String(%GetOptimizationStatus(probe)))`
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { env, encoding: 'utf8' })
  return Number(out)
}

describe('cli/v8-flags', function () {
  it('makes a function baseline code from its first call', function () {
    const status = statusAfterOneCall({ ...process.env, MEDIASWARM_V8_FLAGS: '' })
    assert.ok((status & BASELINE) !== 0, `status ${status.toString(2)} lacks the baseline bit`)
  })

  it('leaves V8 defaults with MEDIASWARM_V8_FLAGS=default', function () {
    const status = statusAfterOneCall({ ...process.env, MEDIASWARM_V8_FLAGS: 'default' })
    assert.equal(status & BASELINE, 0, `status ${status.toString(2)} has the baseline bit`)
  })

  it('leaves V8 defaults for the tracker command', function () {
    const status = statusAfterOneCall({ ...process.env, MEDIASWARM_V8_FLAGS: '' }, 'tracker')
    assert.equal(status & BASELINE, 0, `status ${status.toString(2)} has the baseline bit`)
  })

  it('applies the flags MEDIASWARM_V8_FLAGS names, to the tracker too', function () {
    const status = statusAfterOneCall({ ...process.env, MEDIASWARM_V8_FLAGS: '--always-sparkplug' }, 'tracker')
    assert.ok((status & BASELINE) !== 0, `status ${status.toString(2)} lacks the baseline bit`)
  })

  it('is the first module the bin imports', function () {
    const first = /^import\s+['"]([^'"]+)['"]/m.exec(readFileSync(BIN, 'utf8'))
    assert.equal(first?.[1], './v8-flags.js')
  })
})
