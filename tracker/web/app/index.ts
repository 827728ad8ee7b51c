import { APP_CSS } from './app-css.js'
import { APP_HTML } from './app-html.js'
import { CATALOGUE_JS } from './catalogue-js.js'
import { DASHBOARD_JS } from './dashboard-js.js'

export { APP_CSS, APP_HTML }

/** Wiring of the parts once the page is parsed. */
const START_JS = String.raw`
$('search').addEventListener('input', onSearch)
$('forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); location.reload() })
loadCatalogue()
startDashboard()
`

/**
 * The tracker web app's script (served as /app.js): catalogue and player, then the live
 * dashboard, in one strict-mode closure so nothing leaks into the page's globals.
 */
export const APP_JS = `(() => {\n'use strict'\n${CATALOGUE_JS}\n${DASHBOARD_JS}\n${START_JS}\n})()\n`
