/**
 * The peer's web player: lists the catalogue, plays what the browser can play through the
 * local range server, offers every item as a download, says plainly why an item cannot play,
 * and shows what this peer shares (upload rate, the peers it is connected to).
 */
export const WEB_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mediaswarm</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; height: 100vh; }
  aside { border-right: 1px solid #ddd; overflow: auto; }
  main { padding: 1rem 1.5rem; overflow: auto; }
  h1 { font-size: 1.1rem; margin: 1rem; }
  h2 { margin: 0 0 0.3rem; }
  h3 { font-size: 1rem; margin: 1.5rem 0 0.3rem; }
  label.q { display: block; margin: 0 1rem 0.5rem; }
  input { width: 100%; padding: 0.3rem; box-sizing: border-box; }
  ul { list-style: none; margin: 0; padding: 0; }
  #items li { display: flex; align-items: center; border-bottom: 1px solid #f0f0f0; }
  #items li button { all: unset; flex: 1; min-width: 0; overflow-wrap: anywhere; padding: 0.5rem 1rem; cursor: pointer; }
  #items li button:hover, #items li button[aria-current="true"] { background: #eef; }
  #items li button:focus-visible, a:focus-visible { outline: 2px solid #36c; outline-offset: -2px; }
  a.dl { flex: none; margin: 0 0.6rem; padding: 0.2rem 0.5rem; border: 1px solid #99b; border-radius: 4px; color: #225; text-decoration: none; font-size: 0.85em; }
  a.dl:hover { background: #eef; }
  .meta { color: #555; font-size: 0.85em; }
  .error { color: #a00; background: #fee; border: 1px solid #ebb; padding: 0.5rem 0.8rem; border-radius: 4px; margin-top: 0.5rem; }
  video, audio, img { display: block; width: 100%; max-height: 60vh; margin-top: 0.5rem; }
  video { background: #000; }
  img { object-fit: contain; }
  progress { width: 100%; }
  #peers li { font: 12px ui-monospace, monospace; padding: 0.15rem 0; word-break: break-all; }
</style>
</head>
<body>
<aside>
  <h1>mediaswarm</h1>
  <label class="q">Search <input id="q" type="search" placeholder="title, artist, file name"></label>
  <ul id="items" aria-label="catalogue"></ul>
</aside>
<main>
  <h2 id="title">Pick something to play</h2>
  <div id="actions"></div>
  <div id="status" role="status" class="meta"></div>
  <progress id="progress" max="1" value="0" hidden></progress>
  <div id="player"></div>
  <section aria-labelledby="sharing-h">
    <h3 id="sharing-h">Sharing</h3>
    <div id="sharing" class="meta">…</div>
    <ul id="peers" aria-label="peers this one is connected to"></ul>
  </section>
</main>
<script type="module">
const list = document.getElementById('items')
const q = document.getElementById('q')
const player = document.getElementById('player')
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
function el (tag, props, ...children) {
  const e = document.createElement(tag)
  Object.assign(e, props)
  e.append(...children)
  return e
}
function mediaUrl (i) { return '/media/' + i.cid + '/' + encodeURIComponent(i.name) }
function downloadLink (i) {
  const a = el('a', { className: 'dl', href: mediaUrl(i), download: i.name, textContent: 'Download' })
  a.dataset.download = i.cid
  a.setAttribute('aria-label', 'Download ' + i.name)
  return a
}
const KIND_WORDS = { subtitle: 'a subtitle file', playlist: 'a playlist', other: 'not audio or video' }
function showError (text) {
  player.replaceChildren(el('div', { className: 'error', role: 'alert', textContent: text }))
}
const MEDIA_ERRORS = { 1: 'playback was aborted', 2: 'a network error interrupted it', 3: 'the browser could not decode it', 4: 'the browser does not support this format' }

function render () {
  const words = q.value.toLowerCase().split(' ').filter(Boolean)
  list.replaceChildren(...items
    .filter(i => words.every(w => [i.path, i.title, i.artist, i.album].join(' ').toLowerCase().includes(w)))
    .map(i => {
      const b = el('button', {})
      b.dataset.cid = i.cid
      b.setAttribute('aria-current', String(current?.cid === i.cid))
      const meta = [i.artist, i.mime, fmtBytes(i.size), fmtTime(i.duration)].filter(Boolean).join(' · ')
      b.append(el('div', { textContent: i.title || i.name }), el('div', { className: 'meta', textContent: meta }))
      b.addEventListener('click', () => open(i))
      return el('li', {}, b, downloadLink(i))
    }))
}
async function poll () {
  if (current == null) return
  const cid = current.cid
  const s = await (await fetch('/api/status/' + cid)).json()
  if (current?.cid !== cid) return
  const status = document.getElementById('status')
  const bar = document.getElementById('progress')
  if (s.phase === 'idle') status.textContent = 'not downloaded yet'
  else if (s.phase === 'queued') status.textContent = s.position ? 'waiting in queue: position ' + s.position + ' of ' + s.waiting : 'joining the queue…'
  else if (s.phase === 'downloading') status.textContent = 'downloading ' + fmtBytes(s.have) + ' of ' + fmtBytes(s.size)
  else if (s.phase === 'complete') status.textContent = 'complete: ' + fmtBytes(s.size) + ', shared with the swarm'
  else if (s.phase === 'failed') status.textContent = 'failed: ' + s.error
  bar.hidden = s.size == null
  if (s.size) bar.value = s.have / s.size
  if (s.phase !== 'complete' && s.phase !== 'failed') timer = setTimeout(poll, s.phase === 'idle' ? 2000 : 500)
}
function open (item) {
  current = item
  clearTimeout(timer)
  document.getElementById('title').textContent = item.title || item.name
  document.getElementById('actions').replaceChildren(el('span', { className: 'meta', textContent: item.path + ' · ' }), downloadLink(item))
  const kind = item.kind
  if (kind === 'audio' || kind === 'video') {
    const media = el(kind, { controls: true, autoplay: true })
    if (media.canPlayType(item.mime) === '') {
      showError('This browser cannot play ' + item.mime + ' files. Download ' + item.name + ' and open it in a media player.')
    } else {
      media.addEventListener('error', () => {
        const code = media.error ? media.error.code : 0
        showError('Could not play ' + item.name + ': ' + (MEDIA_ERRORS[code] || 'unknown error') + '. Download it and open it in a media player.')
      })
      media.src = mediaUrl(item)
      media.setAttribute('aria-label', item.title || item.name)
      player.replaceChildren(media)
    }
  } else if (kind === 'image') {
    const img = el('img', { alt: item.title || item.name, src: mediaUrl(item) })
    img.addEventListener('error', () => { showError('Could not show ' + item.name + ' as an image. Download it instead.') })
    player.replaceChildren(img)
  } else {
    showError(item.name + ' is ' + (KIND_WORDS[kind] || 'not audio or video') + ' (' + item.mime + '): there is nothing to play. Use Download to save it.')
  }
  render()
  poll()
}
async function sharing () {
  try {
    const p = await (await fetch('/api/peer')).json()
    document.getElementById('sharing').textContent = 'upload ' + fmtBytes(p.uploadRate) + '/s · ' + fmtBytes(p.uploadedBytes) + ' uploaded · serving ' + p.serving + ' downloader' + (p.serving === 1 ? '' : 's') + ' · ' + p.peers.length + ' peer' + (p.peers.length === 1 ? '' : 's') + ' connected' + (p.trackerConnected ? '' : ' · tracker not connected')
    document.getElementById('peers').replaceChildren(...p.peers.map(c => el('li', { textContent: c.peer + (c.relayed ? ' (relayed)' : '') + ' ' + c.address })))
  } catch (err) {
    document.getElementById('sharing').textContent = 'this peer does not answer: ' + err.message
  }
  setTimeout(sharing, 2000)
}
q.addEventListener('input', render)
sharing()
items = await (await fetch('/api/catalogue')).json()
render()
</script>
</body>
</html>
`
