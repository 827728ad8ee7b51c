/**
 * The tracker web app's page: the catalogue with search, the player, and the live swarm
 * dashboard. Static markup only; /app.js fills it (server strings always as text, never HTML).
 */
export const APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>mediaswarm tracker</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<a class="skip" href="#player-h">Skip to the player</a>
<header>
  <h1>mediaswarm</h1>
  <span id="live" class="badge" role="status" aria-live="polite">connecting…</span>
  <span id="role" class="badge"></span>
  <button id="forget" type="button" hidden>Forget operator token</button>
</header>
<div class="layout">
  <aside aria-labelledby="cat-h">
    <h2 id="cat-h">Catalogue <span id="cat-count" class="meta"></span></h2>
    <label for="search">Search</label>
    <input id="search" type="search" placeholder="title, artist, album, file name" autocomplete="off" aria-controls="catalogue">
    <p id="cat-status" class="meta" role="status">loading…</p>
    <ul id="catalogue" aria-label="catalogue items"></ul>
  </aside>
  <main>
    <section aria-labelledby="player-h">
      <h2 id="player-h" tabindex="-1">Player</h2>
      <div id="now" class="meta"></div>
      <div id="player"><p class="hint">Pick an item in the catalogue to play it here.</p></div>
    </section>
    <section id="dashboard" aria-labelledby="dash-h">
      <h2 id="dash-h">Swarm</h2>
      <dl id="summary" class="cards"></dl>
      <div class="plots">
        <figure><figcaption>Offload: share of bytes from peers</figcaption><svg id="plot-offload" role="img" aria-label="offload over time" viewBox="0 0 320 120"></svg></figure>
        <figure><figcaption>Queue length</figcaption><svg id="plot-queue" role="img" aria-label="queue length over time" viewBox="0 0 320 120"></svg></figure>
        <figure><figcaption>Tracker upload rate</figcaption><svg id="plot-upload" role="img" aria-label="tracker upload rate over time" viewBox="0 0 320 120"></svg></figure>
      </div>
      <h3 id="queue-h">Queue</h3>
      <table id="queue" aria-labelledby="queue-h">
        <thead><tr><th scope="col">#</th><th scope="col">File</th><th scope="col">State</th><th scope="col">Waited</th><th scope="col" class="op">Peer</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="queue-empty" class="meta">The queue is empty.</p>
      <p id="queue-more" class="meta" hidden></p>
      <h3 id="files-h">Offload per file</h3>
      <table id="files" aria-labelledby="files-h">
        <thead><tr><th scope="col">File</th><th scope="col">From the tracker</th><th scope="col">From peers</th><th scope="col">Offload</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="files-empty" class="meta">Nothing transferred yet.</p>
      <h3 id="peers-h">Peers</h3>
      <p id="peers-summary" class="meta"></p>
      <table id="peers" aria-labelledby="peers-h" hidden>
        <thead><tr><th scope="col">Peer</th><th scope="col">Reachability</th><th scope="col">Holds</th><th scope="col">Up</th><th scope="col">Down</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </main>
</div>
</body>
</html>
`
