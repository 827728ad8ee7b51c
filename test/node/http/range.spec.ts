import assert from 'node:assert/strict'
import { parseRange } from '../../../node/http/index.js'

/** A representation size with a few pieces' worth of bytes, odd on purpose. */
const N = 1_000_003

describe('node/http: parseRange', function () {
  it('answers the whole representation when there is no Range header', function () {
    assert.deepEqual(parseRange(undefined, N), { type: 'full' })
    assert.deepEqual(parseRange('', N), { type: 'full' })
    assert.deepEqual(parseRange('   ', N), { type: 'full' })
  })

  it('reads the first byte and the first bytes', function () {
    assert.deepEqual(parseRange('bytes=0-0', N), { type: 'partial', start: 0, end: 1 })
    assert.deepEqual(parseRange('bytes=0-1023', N), { type: 'partial', start: 0, end: 1024 })
  })

  it('reads an open range to the end', function () {
    assert.deepEqual(parseRange('bytes=0-', N), { type: 'partial', start: 0, end: N })
    assert.deepEqual(parseRange('bytes=500-', N), { type: 'partial', start: 500, end: N })
  })

  it('reads the last byte, closed or open', function () {
    assert.deepEqual(parseRange(`bytes=${N - 1}-${N - 1}`, N), { type: 'partial', start: N - 1, end: N })
    assert.deepEqual(parseRange(`bytes=${N - 1}-`, N), { type: 'partial', start: N - 1, end: N })
  })

  it('reads suffix ranges, clamping one longer than the file to the whole file', function () {
    assert.deepEqual(parseRange('bytes=-1', N), { type: 'partial', start: N - 1, end: N })
    assert.deepEqual(parseRange('bytes=-500', N), { type: 'partial', start: N - 500, end: N })
    assert.deepEqual(parseRange(`bytes=-${N}`, N), { type: 'partial', start: 0, end: N })
    assert.deepEqual(parseRange(`bytes=-${N + 1}`, N), { type: 'partial', start: 0, end: N })
    assert.deepEqual(parseRange('bytes=-99999999999', N), { type: 'partial', start: 0, end: N })
  })

  it('clamps an end past the last byte', function () {
    assert.deepEqual(parseRange(`bytes=10-${N}`, N), { type: 'partial', start: 10, end: N })
    assert.deepEqual(parseRange(`bytes=10-${N * 10}`, N), { type: 'partial', start: 10, end: N })
  })

  it('clamps a last-byte position too large for a JavaScript number (RFC 9110 §14.1.2)', function () {
    // "if the value is greater than or equal to the current length ... the remainder"
    assert.deepEqual(parseRange('bytes=0-99999999999999999999', N), { type: 'partial', start: 0, end: N })
  })

  it('calls a range starting at or past the end unsatisfiable', function () {
    assert.deepEqual(parseRange(`bytes=${N}-`, N), { type: 'unsatisfiable' })
    assert.deepEqual(parseRange(`bytes=${N}-${N + 10}`, N), { type: 'unsatisfiable' })
    assert.deepEqual(parseRange(`bytes=${N + 5}-`, N), { type: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=99999999999999999999-', N), { type: 'unsatisfiable' })
  })

  it('calls malformed ranges unsatisfiable (416), never the whole file', function () {
    for (const header of ['bytes=abc', 'bytes=5-3', 'items=0-1', 'bytes=-0', 'bytes=', 'bytes=-', 'bytes=1-2-3', 'bytes=0x10-', 'bytes=-1-2', '0-1', 'bytes 0-1']) {
      assert.deepEqual(parseRange(header, N), { type: 'unsatisfiable' }, header)
    }
  })

  it('accepts the unit in any case and spaces around "="', function () {
    assert.deepEqual(parseRange('Bytes=0-0', N), { type: 'partial', start: 0, end: 1 })
    assert.deepEqual(parseRange('bytes = 2-3', N), { type: 'partial', start: 2, end: 4 })
  })

  it('has no satisfiable range in an empty file', function () {
    assert.deepEqual(parseRange(undefined, 0), { type: 'full' })
    assert.deepEqual(parseRange('bytes=0-', 0), { type: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=0-0', 0), { type: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=-1', 0), { type: 'unsatisfiable' })
  })

  it('answers several valid ranges with the whole file, and a list with a bad one with 416', function () {
    assert.deepEqual(parseRange('bytes=0-1,5-6', N), { type: 'full' })
    assert.deepEqual(parseRange('bytes=0-1, -10', N), { type: 'full' })
    assert.deepEqual(parseRange('bytes=0-1,abc', N), { type: 'unsatisfiable' })
  })
})
