import assert from 'node:assert/strict'
import { SILENT_LOGGER, quietLogger } from '../../node/quiet-logger.js'

describe('node quietLogger', () => {
  it('without DEBUG, hands every component and scope one shared disabled logger that swallows everything', () => {
    const logger = quietLogger({})
    const a = logger.forComponent('libp2p:tcp:connection:inbound:abc')
    const b = logger.forComponent('mediaswarm:tracker')
    assert.equal(a, SILENT_LOGGER)
    assert.equal(b, SILENT_LOGGER)
    assert.equal(a.newScope('stream:1'), SILENT_LOGGER)
    assert.equal(a.enabled, false)
    assert.doesNotThrow(() => { a('x %s', 'y'); a.error('e %e', new Error('boom')); a.trace('t') })
    assert.equal(quietLogger({ DEBUG: '' }).forComponent('x'), SILENT_LOGGER, 'an empty DEBUG enables nothing')
  })

  it('with DEBUG set, gives libp2p\'s own loggers (one per component, scoped by name)', () => {
    const logger = quietLogger({ DEBUG: 'mediaswarm*' })
    const a = logger.forComponent('mediaswarm:tracker')
    assert.notEqual(a, SILENT_LOGGER)
    assert.notEqual(a.newScope('queue'), SILENT_LOGGER)
    assert.equal((a as unknown as { namespace: string }).namespace, 'mediaswarm:tracker')
  })
})
