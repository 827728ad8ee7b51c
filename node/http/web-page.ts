/** The web player: lists the catalogue and plays any item through the local range server. */
export const WEB_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mediaswarm</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; height: 100vh; }
  aside { border-right: 1px solid #ddd; overflow: auto; }
  main { padding: 1rem 1.5rem; }
  h1 { font-size: 1.1rem; margin: 1rem; }
  input { margin: 0 1rem 0.5rem; width: calc(100% - 2rem); padding: 0.3rem; box-sizing: border-box; }
  ul { list-style: none; margin: 0; padding: 0; }
  li button { all: unset; display: block; width: 100%; box-sizing: border-box; padding: 0.5rem 1rem; cursor: pointer; }
  li button:hover, li button[aria-current="true"] { background: #eef; }
  .meta { color: #666; font-size: 0.85em; }
  video, audio { width: 100%; max-height: 70vh; background: #000; margin-top: 0.5rem; }
  audio { background: none; }
  progress { width: 100%; }
</style>
</head>
<body>
<aside>
  <h1>mediaswarm</h1>
  <input id="q" type="search" placeholder="filter" aria-label="filter">
  <ul id="items"></ul>
</aside>
<main>
  <h2 id="title">Pick something to play</h2>
  <div id="status" role="status" class="meta"></div>
  <progress id="progress" max="1" value="0" hidden></progress>
  <div id="player"></div>
</main>
<script type="module">
const list = document.getElementById('items')
const q = document.getElementById('q')
let items = []
let current = null
let timer = null

function fmtBytes (n) {
  const u = ['B', 'KiB', 'MiB', 'GiB']; let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + u[i]
}
function fmtTime (s) {
  if (s == null) return ''
  s = Math.round(s); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0')
}
function render () {
  const words = q.value.toLowerCase().split(/\\s+/).filter(Boolean)
  list.replaceChildren(...items
    .filter(i => words.every(w => [i.path, i.title, i.artist].join(' ').toLowerCase().includes(w)))
    .map(i => {
      const li = document.createElement('li')
      const b = document.createElement('button')
      b.dataset.cid = i.cid
      b.setAttribute('aria-current', String(current?.cid === i.cid))
      const name = document.createElement('div'); name.textContent = i.title || i.name
      const meta = document.createElement('div'); meta.className = 'meta'
      meta.textContent = [i.artist, i.mime, fmtBytes(i.size), fmtTime(i.duration)].filter(Boolean).join(' · ')
      b.append(name, meta)
      b.addEventListener('click', () => play(i))
      li.append(b)
      return li
    }))
}
async function poll () {
  if (current == null) return
  const s = await (await fetch('/api/status/' + current.cid)).json()
  const status = document.getElementById('status')
  const bar = document.getElementById('progress')
  if (s.phase === 'queued') status.textContent = s.position ? 'waiting in queue: position ' + s.position + ' of ' + s.waiting : 'joining the queue…'
  else if (s.phase === 'downloading') status.textContent = 'downloading ' + fmtBytes(s.have) + ' of ' + fmtBytes(s.size)
  else if (s.phase === 'complete') status.textContent = 'complete: ' + fmtBytes(s.size) + ', shared with the swarm'
  else if (s.phase === 'failed') status.textContent = 'failed: ' + s.error
  bar.hidden = s.size == null
  if (s.size) bar.value = s.have / s.size
  if (s.phase !== 'complete' && s.phase !== 'failed') timer = setTimeout(poll, 500)
}
function play (item) {
  current = item
  clearTimeout(timer)
  document.getElementById('title').textContent = item.title || item.name
  const kind = item.mime.startsWith('audio/') ? 'audio' : 'video'
  const el = document.createElement(kind)
  el.controls = true
  el.autoplay = true
  el.src = '/media/' + item.cid + '/' + encodeURIComponent(item.name)
  document.getElementById('player').replaceChildren(el)
  render()
  poll()
}
q.addEventListener('input', render)
items = await (await fetch('/api/catalogue')).json()
render()
</script>
</body>
</html>
`
