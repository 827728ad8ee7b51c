/**
 * The web pages' code is kept in strings, so no compiler sees it: these checks parse it and
 * match the ids the scripts look up against the markup, without a browser.
 */
import assert from 'node:assert/strict'
import { WEB_PAGE } from '../../../../node/http/web-page.js'
import { APP_CSS, APP_HTML, APP_JS } from '../../../../tracker/web/app/index.js'

/** The ids of an HTML text. */
function ids (html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]+)"/g)].map(m => m[1]))
}

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (code: string) => unknown

describe('web app strings', function () {
  it('the tracker app: its script parses, and every id it looks up is in the page', function () {
    assert.doesNotThrow(() => new Function(APP_JS), 'APP_JS is not valid JavaScript')
    const wanted = new Set([...APP_JS.matchAll(/\$\('([^']+)'\)/g)].map(m => m[1]))
    assert.ok(wanted.size >= 15, `only ${wanted.size} ids looked up`)
    const present = ids(APP_HTML)
    assert.deepEqual([...wanted].filter(id => !present.has(id)), [])
  })

  it('the tracker app: no inline script or handler (the server\'s CSP allows /app.js only), and its assets are linked', function () {
    assert.doesNotMatch(APP_HTML, /<script(?![^>]*\ssrc=)/)
    assert.doesNotMatch(APP_HTML, /\son[a-z]+=/)
    assert.match(APP_HTML, /<script src="\/app\.js" defer><\/script>/)
    assert.match(APP_HTML, /<link rel="stylesheet" href="\/app\.css">/)
    assert.ok(APP_CSS.length > 0 && !APP_CSS.includes('<'), 'the style sheet holds no markup')
    // server strings go through textContent: the script never writes HTML
    assert.doesNotMatch(APP_JS, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/)
  })

  it('the peer page: its module script parses and its ids exist', function () {
    const script = /<script type="module">([\s\S]*)<\/script>/.exec(WEB_PAGE)?.[1]
    assert.ok(script != null)
    assert.doesNotThrow(() => new AsyncFunction(script), 'the peer page script is not valid JavaScript')
    const wanted = new Set([...script.matchAll(/getElementById\('([^']+)'\)/g)].map(m => m[1]))
    const present = ids(WEB_PAGE)
    assert.deepEqual([...wanted].filter(id => !present.has(id)), [])
    assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/)
  })
})
