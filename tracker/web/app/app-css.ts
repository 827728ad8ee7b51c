/** The tracker web app's style sheet (served as /app.css). */
export const APP_CSS = `
:root { --fg: #1d1d24; --muted: #5a5a66; --line: #e2e2ea; --accent: #2f5fd0; --soft: #eef2fc; --bad: #a40000; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 0.5rem; top: 0.5rem; background: #fff; padding: 0.3rem; z-index: 2; }
header { display: flex; align-items: center; gap: 0.8rem; padding: 0.6rem 1.2rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.15rem; margin: 0 auto 0 0; }
h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
h3 { font-size: 0.95rem; margin: 1.2rem 0 0.4rem; }
.badge { font-size: 0.8rem; padding: 0.1rem 0.5rem; border-radius: 999px; background: var(--soft); }
.badge.live { background: #e3f6e6; color: #145a24; }
.badge.down { background: #fde8e8; color: var(--bad); }
.layout { display: grid; grid-template-columns: minmax(17rem, 24rem) 1fr; min-height: calc(100vh - 3rem); }
aside { border-right: 1px solid var(--line); padding: 1rem; overflow: auto; }
main { padding: 1rem 1.5rem; overflow: auto; min-width: 0; }
#dashboard { margin-top: 1.5rem; }
label { display: block; font-size: 0.85rem; color: var(--muted); }
input[type=search] { width: 100%; padding: 0.4rem; font: inherit; margin: 0.2rem 0 0.4rem; }
ul { list-style: none; margin: 0; padding: 0; }
#catalogue li { display: flex; align-items: center; gap: 0.3rem; border-bottom: 1px solid var(--line); }
#catalogue button { all: unset; flex: 1; min-width: 0; display: flex; gap: 0.6rem; align-items: center; padding: 0.45rem 0.3rem; cursor: pointer; overflow-wrap: anywhere; }
#catalogue button:hover, #catalogue button[aria-current=true] { background: var(--soft); }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.cover { width: 40px; height: 40px; flex: none; border-radius: 3px; object-fit: cover; background: var(--soft); display: grid; place-items: center; font-size: 0.7rem; color: var(--muted); }
.meta { color: var(--muted); font-size: 0.85em; }
a.dl { flex: none; font-size: 0.8rem; padding: 0.15rem 0.45rem; border: 1px solid #b8c4e6; border-radius: 4px; color: var(--accent); text-decoration: none; }
a.dl:hover { background: var(--soft); }
#player video, #player audio, #player img { display: block; width: 100%; max-width: 40rem; max-height: 55vh; margin-top: 0.4rem; }
#player video { background: #000; }
#player img { object-fit: contain; }
.error { color: var(--bad); background: #fdeeee; border: 1px solid #efc4c4; border-radius: 4px; padding: 0.5rem 0.8rem; margin-top: 0.4rem; max-width: 48rem; }
.hint { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 0.6rem; margin: 0; }
.cards div { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.7rem; }
.cards dt { font-size: 0.8rem; color: var(--muted); }
.cards dd { margin: 0; font-size: 1.2rem; font-variant-numeric: tabular-nums; }
.cards dd small { display: block; font-size: 0.75rem; color: var(--muted); }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0.8rem; margin-top: 0.8rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.6rem; }
figcaption { font-size: 0.8rem; color: var(--muted); }
svg { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
svg .area { fill: var(--soft); stroke: none; }
svg text { font: 10px system-ui, sans-serif; fill: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { font-weight: 600; color: var(--muted); font-size: 0.8rem; }
td.num { font-variant-numeric: tabular-nums; }
tr[data-state=granted] td:nth-child(3) { color: #145a24; font-weight: 600; }
.peer { font: 0.8rem ui-monospace, monospace; }
.bar { display: inline-block; height: 0.55rem; width: 5rem; background: var(--line); border-radius: 3px; vertical-align: middle; margin-right: 0.4rem; overflow: hidden; }
.bar span { display: block; height: 100%; background: var(--accent); }
body:not(.operator) .op { display: none; }
@media (max-width: 760px) { .layout { grid-template-columns: 1fr; } aside { border-right: none; border-bottom: 1px solid var(--line); max-height: 45vh; } }
`
