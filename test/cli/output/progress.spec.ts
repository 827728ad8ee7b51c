import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { ProgressDisplay } from '../../../cli/output/progress.js'

/** A stream that records what is written, as a terminal (isTTY) or a log. */
function sink (tty: boolean): Writable & { isTTY: boolean, columns: number, text: () => string } {
  let text = ''
  const w = new Writable({ write (chunk, _enc, cb) { text += String(chunk); cb() } })
  return Object.assign(w, { isTTY: tty, columns: 160, text: () => text })
}

describe('cli/output: the live line', function () {
  it('shows progress, rates, providers, the share from peers and ETA', function () {
    const out = sink(true)
    const d = new ProgressDisplay(out, 'film.mp4')
    d.queued(2, 5, 12_000)
    assert.match(out.text(), /film\.mp4: waiting in queue, position 2 of 5, about 12 s/)
    d.start(4 * 1024 * 1024, 0, 0)
    d.advance(1024 * 1024, { fromPeer: true, providers: 3, uploadBytes: 100 }, 1000)
    d.advance(1024 * 1024, { fromPeer: false, providers: 3, uploadBytes: 100 + 512 * 1024 }, 2000)
    const line = d.text(2000)
    assert.match(line, / 50% 2\.0 MiB\/4\.0 MiB/)
    assert.match(line, /↓1\.0 MiB\/s/)
    assert.match(line, /↑256 KiB\/s/)
    assert.match(line, /3 prov/)
    assert.match(line, /50% peers/)
    assert.match(line, /ETA 2 s/)
  })

  it('prints notes above the bar, ends the line before an error, clears it when done', function () {
    const out = sink(true)
    const d = new ProgressDisplay(out, 'a.mp3')
    d.start(100, 0, 0)
    const before = out.text().length
    d.note('a.mp3: stopped using provider X (lied)')
    const note = out.text().slice(before)
    assert.ok(note.startsWith('\r\x1b[Ka.mp3: stopped using provider X (lied)\n'), JSON.stringify(note))
    assert.match(note.split('\n')[1], /^a\.mp3 \[/, 'the bar is drawn again under the note')
    const atEnd = out.text().length
    d.end()
    assert.equal(out.text().slice(atEnd), '\n', 'Ctrl-C: "Interrupted." starts on a line of its own')
    d.end()
    assert.equal(out.text().slice(atEnd), '\n', 'only once')
  })

  it('on a log (no terminal): a line per new queue position and at start, no bar', function () {
    const out = sink(false)
    const d = new ProgressDisplay(out, 'b.mp4')
    d.queued(3, 3, 0)
    d.queued(3, 3, 9000)
    d.queued(2, 3, 5000)
    d.start(1000, 0)
    d.advance(500)
    d.note('b.mp4: provider left')
    assert.deepEqual(out.text().split('\n').filter(Boolean), [
      'b.mp4: waiting in queue, position 3 of 3',
      'b.mp4: waiting in queue, position 2 of 3, about 5 s',
      'b.mp4: downloading 1000 B',
      'b.mp4: provider left'
    ])
    assert.doesNotMatch(out.text(), /\r|\x1b/)
  })

  it('in the queue, the ETA counts down between the tracker\'s updates', function () {
    const out = sink(true)
    const d = new ProgressDisplay(out, 'c.mp4')
    d.queued(4, 9, 30_000, 1_000_000)
    assert.equal(d.queueText(1_000_000), 'c.mp4: waiting in queue, position 4 of 9, about 30 s')
    assert.equal(d.queueText(1_012_000), 'c.mp4: waiting in queue, position 4 of 9, about 18 s')
    assert.equal(d.queueText(1_040_000), 'c.mp4: waiting in queue, position 4 of 9, any moment now')
    // a new estimate from the tracker starts the count again
    d.queued(3, 9, 20_000, 1_041_000)
    assert.equal(d.queueText(1_046_000), 'c.mp4: waiting in queue, position 3 of 9, about 15 s')
    d.start(100, 0, 1_050_000)
    d.finish()
  })
})
