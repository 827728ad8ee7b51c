/**
 * The tracker's web app: the page, its script and its style sheet, served at `/`, `/app.js`
 * and `/app.css`. A placeholder until the web app proper lands (helper "webui" owns this
 * folder): it lists the catalogue and shows the live dashboard numbers.
 */

/** The page served at `/`. */
export const APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mediaswarm tracker</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<h1>mediaswarm tracker</h1>
<p id="queue" role="status">connecting…</p>
<ul id="items"></ul>
<script type="module" src="/app.js"></script>
</body>
</html>
`

/** The script served at `/app.js`. */
export const APP_JS = `const token = new URLSearchParams(location.search).get('token')
const q = token ? '?token=' + encodeURIComponent(token) : ''
const list = document.getElementById('items')
const { items } = await (await fetch('/api/catalogue')).json()
list.replaceChildren(...items.map(i => {
  const li = document.createElement('li')
  const a = document.createElement('a')
  a.href = '/media/' + i.cid
  a.textContent = (i.title || i.name) + ' (' + i.kind + ')'
  li.append(a)
  return li
}))
const events = new EventSource('/api/events' + q)
events.addEventListener('dashboard', (e) => {
  const d = JSON.parse(e.data)
  document.getElementById('queue').textContent = 'queue: ' + d.queue.length + ' waiting, ' + d.queue.granted + ' of ' + d.queue.slots + ' slots; ' + d.peers.count + ' peers'
})
`

/** The style sheet served at `/app.css`. */
export const APP_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem 1.5rem; }
`
