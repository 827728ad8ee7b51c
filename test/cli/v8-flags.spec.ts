/**
 * cli/v8-flags: the processes that move media (a `get` or `play` running its own node, the
 * `peer` daemon) run with mediaswarm's V8 flags, set once their node's modules are loaded;
 * the tracker and read-only commands keep V8's defaults. Observed in child processes through
 * V8's own view of a function (`%GetOptimizationStatus`, with --allow-natives-syntax): with
 * --always-sparkplug a function called once is already baseline code; with V8's defaults it
 * is still interpreted. And in a real `get` against a real tracker, through a probe that
 * records when the flags are set.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { V8_FLAGS } from '../../cli/v8-flags.js'
import { cliEnv, gotOne, runCli, startCliTracker } from '../fixtures/cli-run.js'
import { removeDir, tempDir } from '../fixtures/network.js'
import type { V8FlagProbe } from '../fixtures/v8-flag-probe.js'

const FLAGS_MODULE = new URL('../../cli/v8-flags.js', import.meta.url).href
const PROBE = new URL('../fixtures/v8-flag-probe.js', import.meta.url).href
/** V8's OptimizationStatus bit for Sparkplug (baseline) code. */
const BASELINE = 1 << 15

/** In a child: applyV8Flags(command) (twice when `then` is given), then the status of a function called once, and the flags returned. */
function afterApply (env: NodeJS.ProcessEnv, command: string, then?: string): { status: number, flags: string[] } {
  const script = `const { applyV8Flags } = await import(${JSON.stringify(FLAGS_MODULE)});
    let flags = applyV8Flags(${JSON.stringify(command)});
    ${then != null ? `flags = applyV8Flags(${JSON.stringify(then)});` : ''}
    function probe (a, b) { return a + b }
    probe(1, 2);
    process.stdout.write(JSON.stringify({ status: %GetOptimizationStatus(probe), flags }))`
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { env, encoding: 'utf8' })
  return JSON.parse(out) as { status: number, flags: string[] }
}

const noChoice = (): NodeJS.ProcessEnv => ({ ...process.env, MEDIASWARM_V8_FLAGS: '' })

describe('cli/v8-flags', function () {
  this.timeout(60_000)

  it('makes a function baseline code from its first call in a get, play or peer', function () {
    for (const command of ['get', 'play', 'peer']) {
      const { status, flags } = afterApply(noChoice(), command)
      assert.ok((status & BASELINE) !== 0, `${command}: status ${status.toString(2)} lacks the baseline bit`)
      assert.deepEqual(flags, V8_FLAGS)
    }
  })

  it('leaves V8 defaults with MEDIASWARM_V8_FLAGS=default', function () {
    const { status, flags } = afterApply({ ...process.env, MEDIASWARM_V8_FLAGS: 'default' }, 'get')
    assert.equal(status & BASELINE, 0, `status ${status.toString(2)} has the baseline bit`)
    assert.deepEqual(flags, [])
  })

  it('leaves V8 defaults for the tracker and for commands that only read', function () {
    for (const command of ['tracker', 'ls', 'status']) {
      const { status } = afterApply(noChoice(), command)
      assert.equal(status & BASELINE, 0, `${command}: status ${status.toString(2)} has the baseline bit`)
    }
  })

  it('applies the flags MEDIASWARM_V8_FLAGS names, to the tracker too', function () {
    const { status, flags } = afterApply({ ...process.env, MEDIASWARM_V8_FLAGS: '--always-sparkplug' }, 'tracker')
    assert.ok((status & BASELINE) !== 0, `status ${status.toString(2)} lacks the baseline bit`)
    assert.deepEqual(flags, ['--always-sparkplug'])
  })

  it('sets them once per process: a later call keeps the first choice', function () {
    const { status, flags } = afterApply(noChoice(), 'ls', 'get')
    assert.equal(status & BASELINE, 0, `status ${status.toString(2)} has the baseline bit`)
    assert.deepEqual(flags, [])
  })

  describe('in a real get', function () {
    let root: string | undefined

    afterEach(async function () { await removeDir(root) })

    it('sets the flags after the Node modules its node uses are loaded, and the file arrives whole', async function () {
      root = await tempDir('v8-flags')
      const media = join(root, 'media')
      await mkdir(media)
      const bytes = Buffer.alloc(300 * 1024, 7)
      await writeFile(join(media, 'tone.mp3'), bytes)
      const env = cliEnv(root)
      delete env.MEDIASWARM_V8_FLAGS
      const tracker = await startCliTracker({ media, home: join(root, 'tracker'), env })
      try {
        const out = join(root, 'probe.json')
        const result = await runCli(['get', 'tone.mp3', '--tracker', tracker.addr, '--home', join(root, 'peer'), '-o', join(root, 'out'), '--json', '--no-share'],
          { ...env, NODE_OPTIONS: `--import=${PROBE}`, V8_FLAG_PROBE_OUT: out })
        const got = gotOne('get', result)
        assert.equal(got.size, bytes.byteLength)
        assert.deepEqual(await readFile(join(root, 'out', 'tone.mp3')), bytes)
        const probe = JSON.parse(await readFile(out, 'utf8')) as V8FlagProbe
        assert.deepEqual(probe.flags, V8_FLAGS, 'the get set mediaswarm\'s flags')
        // each Node module loaded after a flag changed is compiled from source, without Node's code cache
        assert.deepEqual(probe.nodeModulesAfter, [], `Node modules loaded after the flags (add them to LATE_NODE_MODULES): ${probe.nodeModulesAfter.join(', ')}`)
      } finally {
        await tracker.stop()
      }
    })
  })
})
