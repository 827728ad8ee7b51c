import assert from 'node:assert/strict'
import { printable, shortCid } from '../../cli/commands/ls.js'
import { globToRegExp, selectItems } from '../../cli/select.js'
import { isMediaPath } from '../../tracker/catalogue/mime.js'
import type { CatalogueItem } from '../../node/index.js'

describe('cli: catalogue text on a terminal, --select patterns, media-only paths', function () {
  it('printable() shows control characters and bidi overrides as escapes, keeps the rest', function () {
    assert.equal(printable('a\x1b[31mred\x1b[0m'), 'a\\x1b[31mred\\x1b[0m')
    assert.equal(printable('line\rover'), 'line\\x0dover')
    assert.equal(printable('evil\u202Egnp.exe'), 'evil\\u{202e}gnp.exe')
    assert.equal(printable('Café – 東京 🎵'), 'Café – 東京 🎵')
    assert.doesNotMatch(printable(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i), 0x7f, 0x9b)), /[\x00-\x1f\x7f-\x9f]/)
  })

  it('shortCid() keeps both ends of a cid', function () {
    const cid = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
    assert.equal(shortCid(cid), 'bafkreig…4s52zy')
    assert.equal(shortCid('short'), 'short')
  })

  it('--select: a glob matches the path or the file name; words match path, title or artist', function () {
    const item = (path: string, title?: string): CatalogueItem => ({ cid: new Uint8Array(), path, size: 1, mime: 'video/mp4', codecs: [], title } as unknown as CatalogueItem)
    const items = [item('films/a.mp4'), item('films/b.mkv'), item('music/x/song.mp3', 'Blue Moon'), item('c.MP4')]
    const paths = (pattern: string): string[] => selectItems(items, pattern).map(i => i.path)
    assert.deepEqual(paths('*.mp4'), ['films/a.mp4', 'c.MP4'])
    assert.deepEqual(paths('films/*'), ['films/a.mp4', 'films/b.mkv'])
    assert.deepEqual(paths('music/**'), ['music/x/song.mp3'])
    assert.deepEqual(paths('blue moon'), ['music/x/song.mp3'])
    assert.deepEqual(paths('[ab].m??'), ['films/a.mp4', 'films/b.mkv'])
    assert.ok(!globToRegExp('a.b').test('axb'), 'a dot is a dot')
  })

  it('isMediaPath() keeps audio, video, images, subtitles and playlists', function () {
    for (const p of ['a.mp3', 'b.MKV', 'c.jpg', 'd.srt', 'e.vtt', 'f.m3u8', 'g.cue', 'h.webm']) assert.ok(isMediaPath(p), p)
    for (const p of ['notes.txt', 'x.bin', 'archive.zip', 'doc.pdf', 'noext']) assert.ok(!isMediaPath(p), p)
  })
})
