/**
 * Client code of the tracker web app, part 2: the live dashboard fed by Server-Sent Events
 * (the queue, peers, per-file offload) and its plots over time, drawn as inline SVG from the
 * tracker's history. Uses the helpers of part 1 (el, fmt*, api, token).
 */
export const DASHBOARD_JS = String.raw`
const SVG = 'http://www.w3.org/2000/svg'
function svgEl (tag, attrs) {
  const e = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v))
  return e
}

/**
 * Draws one series as a line over time into an <svg viewBox="0 0 320 120">: a grid line at
 * the top value, the line, the area under it, and labels for the scale and the latest value.
 */
function plot (svg, points, opts) {
  const W = 320; const H = 120; const L = 4; const R = 316; const T = 14; const B = 104
  const values = points.map(p => p.v)
  const top = opts.max != null ? opts.max : Math.max(1e-9, ...values) * 1.1
  const t0 = points.length > 0 ? points[0].t : 0
  const span = points.length > 1 ? points[points.length - 1].t - t0 : 1
  const xy = points.map(p => [L + (R - L) * (points.length > 1 ? (p.t - t0) / span : 1), B - (B - T) * Math.min(1, Math.max(0, p.v / top))])
  const coords = xy.map(([x, y]) => x.toFixed(1) + ',' + y.toFixed(1)).join(' ')
  const last = values.length > 0 ? values[values.length - 1] : null
  const children = [
    svgEl('line', { class: 'grid', x1: L, x2: R, y1: T, y2: T }),
    svgEl('line', { class: 'grid', x1: L, x2: R, y1: B, y2: B })
  ]
  if (xy.length > 0) {
    children.push(svgEl('polygon', { class: 'area', points: xy[0][0].toFixed(1) + ',' + B + ' ' + coords + ' ' + xy[xy.length - 1][0].toFixed(1) + ',' + B }))
    children.push(svgEl('polyline', { class: 'line', points: coords }))
  }
  const label = (x, y, text, anchor) => { const t = svgEl('text', { x, y, 'text-anchor': anchor || 'start' }); t.textContent = text; return t }
  children.push(label(L, T - 3, opts.fmt(top)))
  children.push(label(R, H - 3, last == null ? 'no data yet' : 'now ' + opts.fmt(last), 'end'))
  children.push(label(L, H - 3, points.length > 1 ? 'last ' + fmtDuration(span / 1000) : ''))
  svg.replaceChildren(...children)
  svg.dataset.last = last == null ? '' : String(last)
  svg.dataset.count = String(points.length)
  svg.setAttribute('aria-label', opts.name + ': ' + (last == null ? 'no data yet' : 'now ' + opts.fmt(last)))
}

function plural (n, word) { return n + ' ' + word + (n === 1 ? '' : 's') }
function card (title, value, note) {
  return el('div', {}, el('dt', {}, title), el('dd', {}, value, note ? el('small', {}, note) : null))
}
const REACH = [['public', 'public'], ['upnp', 'UPnP'], ['holePunched', 'hole-punched'], ['relayOnly', 'relay-only'], ['unknown', 'unknown']]

function renderDashboard (d) {
  document.body.classList.toggle('operator', d.operator === true)
  $('role').textContent = d.operator ? 'operator view' : tokenRefused ? 'public view: the operator token was refused' : 'public view'
  $('forget').hidden = !token
  const q = d.queue
  const history = d.history || []
  const offload = history.length > 0 ? history[history.length - 1].offload : null
  const reach = REACH.map(([k, name]) => (d.peers.byReachability[k] || 0) > 0 ? d.peers.byReachability[k] + ' ' + name : '').filter(Boolean).join(', ')
  $('summary').replaceChildren(
    card('Queue', String(q.length), q.granted + ' of ' + q.slots + ' slots granted'),
    card('Peers', String(d.peers.count), reach || 'none connected'),
    card('Tracker upload', fmtRate(d.uploadRate)),
    card('Offload', fmtPercent(offload), 'bytes from peers')
  )
  plot($('plot-offload'), history.map(h => ({ t: h.t, v: h.offload })), { max: 1, fmt: fmtPercent, name: 'offload' })
  plot($('plot-queue'), history.map(h => ({ t: h.t, v: h.queueLength })), { max: Math.max(4, ...history.map(h => h.queueLength)), fmt: (v) => String(Math.round(v)), name: 'queue length' })
  plot($('plot-upload'), history.map(h => ({ t: h.t, v: h.uploadRate })), { fmt: fmtRate, name: 'tracker upload rate' })

  $('queue').querySelector('tbody').replaceChildren(...q.entries.map(e => el('tr', { data: { position: String(e.position), state: e.state, cid: e.cid, peer: e.peer || '' } },
    el('td', { className: 'num' }, e.state === 'waiting' ? String(e.position) : '\u2013'),
    el('td', {}, e.name),
    el('td', {}, e.state),
    el('td', { className: 'num' }, fmtWait(e.waitedMs)),
    el('td', { className: 'op peer' }, e.peer || ''))))
  $('queue-empty').hidden = q.entries.length > 0
  $('queue').hidden = q.entries.length === 0
  // the tracker lists the first requests only; the count is always complete
  const listed = q.entries.filter(e => e.state === 'waiting').length
  $('queue-more').hidden = listed >= q.length
  $('queue-more').textContent = listed < q.length ? 'The first ' + listed + ' of ' + q.length + ' waiting requests are listed.' : ''

  $('files').querySelector('tbody').replaceChildren(...d.files.map(f => {
    const all = f.bytesFromTracker + f.bytesFromPeers
    const share = all > 0 ? f.bytesFromPeers / all : 0
    return el('tr', { data: { cid: f.cid } },
      el('td', {}, f.name),
      el('td', { className: 'num' }, fmtBytes(f.bytesFromTracker)),
      el('td', { className: 'num' }, fmtBytes(f.bytesFromPeers)),
      el('td', { className: 'num' }, el('span', { className: 'bar', 'aria-hidden': 'true' }, el('span', { style: 'width:' + Math.round(share * 100) + '%' })), fmtPercent(share)))
  }))
  $('files-empty').hidden = d.files.length > 0
  $('files').hidden = d.files.length === 0

  const list = d.peers.list
  $('peers-summary').textContent = d.peers.count + ' connected' + (reach ? ': ' + reach : '') + (d.operator ? '' : '. Per-peer detail needs the operator token.')
  $('peers').hidden = !(d.operator && Array.isArray(list))
  $('peers').querySelector('tbody').replaceChildren(...(list || []).map(p => el('tr', { data: { peer: p.peer } },
    el('td', { className: 'peer' }, p.peer),
    el('td', {}, p.reachability),
    el('td', { className: 'num' }, plural(Array.isArray(p.holds) ? p.holds.length : Number(p.holds), 'file')),
    el('td', { className: 'num' }, fmtRate(p.uploadRate)),
    el('td', { className: 'num' }, fmtRate(p.downloadRate)))))
}

function setLive (text, state) {
  $('live').textContent = text
  $('live').className = 'badge ' + state
}
function connectEvents () {
  const url = '/api/events' + (token ? '?token=' + encodeURIComponent(token) : '')
  const events = new EventSource(url)
  events.addEventListener('open', () => { setLive('live', 'live') })
  events.addEventListener('error', () => { setLive(events.readyState === EventSource.CLOSED ? 'disconnected: reload the page' : 'reconnecting\u2026', 'down') })
  events.addEventListener('dashboard', (e) => {
    try { renderDashboard(JSON.parse(e.data)) } catch (err) { setLive('bad update: ' + err.message, 'down') }
  })
}
async function startDashboard () {
  try {
    renderDashboard(await api('/api/dashboard'))
  } catch (err) {
    if (err.status === 403 && token) {
      // a wrong or changed token: forget it and carry on with the public view
      sessionStorage.removeItem(TOKEN_KEY)
      token = null
      tokenRefused = true
      return startDashboard()
    }
    setLive('no dashboard: ' + err.message, 'down')
  }
  connectEvents()
}
`
