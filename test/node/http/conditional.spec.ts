import assert from 'node:assert/strict'
import { ifNoneMatch } from '../../../node/http/conditional.js'
import type { IncomingMessage } from 'node:http'

/** A request head carrying only the given If-None-Match (or none). */
function req (value?: string): IncomingMessage {
  return { headers: value == null ? {} : { 'if-none-match': value } } as unknown as IncomingMessage
}

describe('node/http/conditional: If-None-Match', function () {
  const etag = '"bafkreiabc"'

  it('matches the same tag, a list holding it, a weak form of it, and *', function () {
    assert.equal(ifNoneMatch(req('"bafkreiabc"'), etag), true)
    assert.equal(ifNoneMatch(req('"x", "bafkreiabc" ,"y"'), etag), true)
    assert.equal(ifNoneMatch(req('W/"bafkreiabc"'), etag), true)
    assert.equal(ifNoneMatch(req(' * '), etag), true)
  })

  it('does not match another tag, an unquoted one, an empty or absent header, or a huge one', function () {
    assert.equal(ifNoneMatch(req('"bafkreiabd"'), etag), false)
    assert.equal(ifNoneMatch(req('bafkreiabc'), etag), false)
    assert.equal(ifNoneMatch(req(''), etag), false)
    assert.equal(ifNoneMatch(req(), etag), false)
    assert.equal(ifNoneMatch(req(`${'"a", '.repeat(2000)}"bafkreiabc"`), etag), false)
  })
})
