/**
 * Client code of the tracker web app, part 1: helpers, the operator token, the catalogue
 * with search, and the player. Plain browser JavaScript in a string (no build step); every
 * string from the server reaches the page through textContent or an attribute, never HTML.
 */
export const CATALOGUE_JS = String.raw`
const TOKEN_KEY = 'mediaswarm-operator-token'
const $ = (id) => document.getElementById(id)

/** Creates an element with properties and children (strings become text nodes). */
function el (tag, props, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'data') Object.assign(e.dataset, v)
    else if (k.startsWith('aria-') || k === 'role' || k === 'scope') e.setAttribute(k, v)
    else e[k] = v
  }
  e.append(...children.filter(c => c != null))
  return e
}
function fmtBytes (n) {
  if (n == null || !isFinite(n)) return '\u2013'
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return (i === 0 ? Math.round(n) : n.toFixed(1)) + ' ' + u[i]
}
function fmtRate (n) { return fmtBytes(n) + '/s' }
function fmtDuration (s) {
  if (s == null || !isFinite(s)) return ''
  s = Math.round(s)
  const h = Math.floor(s / 3600); const m = Math.floor(s / 60) % 60; const sec = String(s % 60).padStart(2, '0')
  return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec
}
function fmtWait (ms) { return ms < 1000 ? Math.round(ms) + ' ms' : fmtDuration(ms / 1000) }
function fmtPercent (x) { return x == null || !isFinite(x) ? '\u2013' : Math.round(x * 100) + ' %' }

/** The operator token: taken from ?token= once, kept for this tab, removed from the URL. */
function operatorToken () {
  const url = new URL(location.href)
  const given = url.searchParams.get('token')
  if (given != null) {
    if (given !== '') sessionStorage.setItem(TOKEN_KEY, given)
    url.searchParams.delete('token')
    history.replaceState(null, '', url.pathname + url.search + url.hash)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}
let token = operatorToken()
/** Set when the tracker refused the token given (403): the page then shows the public view. */
let tokenRefused = false

/** fetch() with the operator token as a bearer header. */
async function api (path) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {}
  const res = await fetch(path, { headers, cache: 'no-store' })
  if (!res.ok) throw Object.assign(new Error(path + ' answered ' + res.status), { status: res.status })
  return res.json()
}

const mediaUrl = (item) => '/media/' + encodeURIComponent(item.cid)
function downloadLink (item) {
  return el('a', { className: 'dl', href: mediaUrl(item), download: item.name, 'aria-label': 'Download ' + item.name, data: { download: item.cid } }, 'Download')
}
function itemTitle (item) { return item.title || item.name }
function itemMeta (item) {
  return [
    item.artist, item.album, fmtDuration(item.durationSec),
    item.width && item.height ? item.width + '\u00d7' + item.height : '',
    item.kind, fmtBytes(item.size)
  ].filter(Boolean).join(' \u00b7 ')
}

// ---- catalogue ----
/** Rows drawn at most: a huge library stays fast; the search narrows it down. */
const MAX_ROWS = 300
let items = []
/** Items in the catalogue (the answer holds at most the server's limit of them). */
let total = 0
/** The server's answer to the current search, when the library is larger than one answer. */
let serverHits = null
let searchTimer = null
let current = null

function matches (item, words) {
  const hay = [item.name, item.title, item.artist, item.album, item.mime, item.kind].filter(Boolean).join(' ').toLowerCase()
  return words.every(w => hay.includes(w))
}
function catalogueRow (item) {
  const cover = item.cover
    ? el('img', { className: 'cover', src: '/api/cover/' + encodeURIComponent(item.cid), alt: '', loading: 'lazy' })
    : el('span', { className: 'cover', 'aria-hidden': 'true' }, item.kind === 'video' ? '\u25b6' : item.kind === 'audio' ? '\u266a' : '\u00b7')
  const button = el('button', { type: 'button', data: { cid: item.cid }, 'aria-current': String(current != null && current.cid === item.cid) },
    cover,
    el('span', {}, el('span', { className: 'title' }, itemTitle(item)), el('br'), el('span', { className: 'meta' }, itemMeta(item))))
  button.addEventListener('click', () => { play(item) })
  return el('li', { data: { cid: item.cid, kind: item.kind } }, button, downloadLink(item))
}
function renderCatalogue () {
  const words = $('search').value.toLowerCase().split(' ').filter(Boolean)
  const shown = words.length > 0 && serverHits != null ? serverHits : items.filter(i => matches(i, words))
  const all = Math.max(total, items.length)
  $('cat-count').textContent = '(' + all + ')'
  let status = all === 0 ? 'The catalogue is empty.' : words.length === 0 ? all + (all === 1 ? ' item' : ' items') : shown.length + ' of ' + all + ' items match'
  if (shown.length > MAX_ROWS) status += '; the first ' + MAX_ROWS + ' are listed, refine the search'
  $('cat-status').textContent = status
  $('catalogue').replaceChildren(...shown.slice(0, MAX_ROWS).map(catalogueRow))
}
/** Filters as you type; a library larger than one answer is also searched on the server. */
function onSearch () {
  serverHits = null
  renderCatalogue()
  if (total <= items.length) return
  clearTimeout(searchTimer)
  searchTimer = setTimeout(async () => {
    const q = $('search').value.trim()
    if (q === '') return
    try {
      const answer = await api('/api/catalogue?q=' + encodeURIComponent(q))
      if ($('search').value.trim() !== q) return
      serverHits = answer.items
      renderCatalogue()
    } catch (err) {
      $('cat-status').textContent = 'Search failed: ' + err.message
    }
  }, 250)
}
async function loadCatalogue () {
  try {
    const answer = await api('/api/catalogue')
    items = answer.items
    total = typeof answer.total === 'number' ? answer.total : items.length
    items.sort((a, b) => itemTitle(a).localeCompare(itemTitle(b)))
    renderCatalogue()
  } catch (err) {
    $('cat-status').textContent = 'Could not load the catalogue: ' + err.message
  }
}

// ---- player ----
const MEDIA_ERRORS = { 1: 'playback was aborted', 2: 'a network error interrupted it', 3: 'the browser could not decode it', 4: 'the browser does not support this format' }
const KIND_WORDS = { subtitle: 'a subtitle file', playlist: 'a playlist', other: 'not audio, video or an image' }

function playerMessage (text, item) {
  $('player').replaceChildren(el('div', { className: 'error', role: 'alert' }, text, ' ', downloadLink(item)))
}
function play (item) {
  current = item
  $('now').replaceChildren(el('strong', {}, itemTitle(item)), ' ', item.name !== itemTitle(item) ? '(' + item.name + ') ' : '', itemMeta(item), ' ', downloadLink(item))
  const kind = item.kind
  if (kind === 'video' || kind === 'audio') {
    const media = el(kind, { controls: true, autoplay: true, preload: 'metadata', 'aria-label': itemTitle(item) })
    if (media.canPlayType(item.mime) === '') {
      playerMessage('This browser cannot play ' + item.mime + ' files. Download ' + item.name + ' and open it in a media player.', item)
    } else {
      media.addEventListener('error', () => {
        const code = media.error ? media.error.code : 0
        playerMessage('Could not play ' + item.name + ': ' + (MEDIA_ERRORS[code] || 'unknown error') + '.', item)
      })
      media.src = mediaUrl(item)
      const parts = [media]
      if (kind === 'audio' && item.cover) parts.unshift(el('img', { src: '/api/cover/' + encodeURIComponent(item.cid), alt: 'cover of ' + itemTitle(item) }))
      $('player').replaceChildren(...parts)
    }
  } else if (kind === 'image') {
    const img = el('img', { src: mediaUrl(item), alt: itemTitle(item) })
    img.addEventListener('error', () => { playerMessage('Could not show ' + item.name + ' as an image.', item) })
    $('player').replaceChildren(img)
  } else {
    playerMessage(item.name + ' is ' + (KIND_WORDS[kind] || KIND_WORDS.other) + ' (' + item.mime + '): there is nothing to play in the browser.', item)
  }
  renderCatalogue()
}
`
