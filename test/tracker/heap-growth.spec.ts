import assert from 'node:assert/strict'
import { DEFAULT_HEAP_GROWTH_PERCENT, setHeapGrowth } from '../../tracker/heap-growth.js'

describe('tracker setHeapGrowth', () => {
  after(() => { setHeapGrowth(0) })

  it('takes a whole percentage from 0 (V8\'s default) to 1000, and refuses anything else', () => {
    for (const ok of [0, 1, DEFAULT_HEAP_GROWTH_PERCENT, 1000]) assert.doesNotThrow(() => { setHeapGrowth(ok) })
    for (const bad of [-1, 1.5, 1001, Number.NaN]) assert.throws(() => { setHeapGrowth(bad) }, RangeError)
  })
})
