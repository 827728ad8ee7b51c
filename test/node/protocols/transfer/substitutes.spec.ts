/**
 * The tracker's super-seeding on the wire, through a real transfer server over the tracker's
 * library source and real hosts: the least-served wanted piece goes first, and a downloader
 * that offers alternatives gets a never- (or less-) served one instead of a piece the tracker
 * sent to someone already (PIECE `index` = the substitute, `replaces` = the piece asked).
 * A downloader that offers none (an old client) gets exactly what it asked for. A piece marked
 * urgent (a reader waits on it) goes before every other want and is never substituted.
 */
import '../../../../node/polyfill.js'
import assert from 'node:assert/strict'
import { TransferResponse, TransferServer } from '../../../../node/index.js'
import { Catalogue } from '../../../../tracker/catalogue/index.js'
import { LibrarySource } from '../../../../tracker/library-source.js'
import { startHost } from '../../../fixtures/hosts.js'
import { openTransfer, testIssuer } from '../../../fixtures/transfer-rig.js'
import { bytesOf, putFile, removeDir, tempDir } from '../../../tracker/catalogue/fixtures.js'
import type { Host } from '../../../../node/index.js'
import type { CatalogueEntry } from '../../../../tracker/catalogue/index.js'
import type { Downloader, TestIssuer } from '../../../fixtures/transfer-rig.js'

const KiB = 1024

/** The PIECE messages a downloader receives until it has `n`: [index, replaces]. */
async function received (d: Downloader, n: number): Promise<Array<[number, number | undefined]>> {
  const out: Array<[number, number | undefined]> = []
  while (out.length < n) {
    const msg = await d.next()
    assert.ok(msg != null, 'the stream ended early')
    if (msg.type === TransferResponse.Type.PIECE) {
      assert.ok(msg.length > 0, `piece ${msg.index}: "not here"`)
      out.push([msg.index, msg.replaces])
    }
  }
  return out
}

describe('transfer server: super-seeding substitutes (tracker library)', function () {
  this.timeout(60_000)
  let media: string
  let cache: string
  let catalogue: Catalogue
  let entry: CatalogueEntry
  let issuer: TestIssuer
  let tracker: Host
  let server: TransferServer
  const hosts: Host[] = []

  /** A new downloader's stream to the tracker, asking `want` with `alternatives` (and `urgent` marks). */
  async function downloader (want: number[], alternatives: number[] = [], urgent: number[] = []): Promise<Downloader> {
    const h = await startHost()
    hosts.push(h)
    return openTransfer(h, tracker, await issuer.issue(entry.cid, h), want, alternatives, urgent)
  }

  beforeEach(async function () {
    media = await tempDir('substitutes-media')
    cache = await tempDir('substitutes-cache')
    await putFile(media, 'clip.bin', bytesOf(2048 * KiB, 'clip'))
    catalogue = new Catalogue({ mediaDir: media, cacheDir: cache, watch: false })
    await catalogue.start()
    entry = catalogue.findByName('clip.bin') as CatalogueEntry
    assert.equal(entry.pieceCount, 8)
    issuer = await testIssuer()
    tracker = await startHost()
    hosts.push(tracker)
    server = new TransferServer({ host: tracker, logger: tracker.logger, tracker: () => issuer.trackerId, source: new LibrarySource(catalogue) })
    await server.start()
  })

  afterEach(async function () {
    await server?.stop()
    await Promise.all(hosts.splice(0).map(async h => { await h.stop() }))
    await catalogue?.stop()
    await removeDir(media)
    await removeDir(cache)
  })

  it('sends an offered piece never sent instead of a wanted piece sent before; an old client gets what it asked', async function () {
    assert.deepEqual(await received(await downloader([0, 1, 2, 3]), 4), [[0, undefined], [1, undefined], [2, undefined], [3, undefined]])
    // no alternatives (an old client): exactly the pieces asked, though each was sent before
    assert.deepEqual(await received(await downloader([0, 1]), 2), [[0, undefined], [1, undefined]])
    // 4 was never sent: as asked; 2 was: the first of the never-sent alternatives instead
    assert.deepEqual(await received(await downloader([2, 4], [6, 5]), 2), [[4, undefined], [6, 2]])
    // 6 went out once now; 5 and 7 never: the least-served alternative, ties in the order offered
    assert.deepEqual(await received(await downloader([3], [6, 5, 7]), 1), [[5, 3]])
    // 5 and 3 were each sent before: an alternative served as often is no better, so 5 as asked
    assert.deepEqual(await received(await downloader([5], [3]), 1), [[5, undefined]])
    // a wanted piece never sent goes as asked even with never-sent alternatives
    assert.deepEqual(await received(await downloader([7], [0, 1]), 1), [[7, undefined]])
  })

  it('a cancel withdraws an alternative; each request with wants replaces the alternatives', async function () {
    await received(await downloader([0, 1, 2]), 3)
    const d = await downloader([0], [3, 4])
    assert.deepEqual(await received(d, 1), [[3, 0]])
    // 4 withdrawn by a cancel, then 1 (sent before) asked with no alternative left: as asked
    await d.send({ cancel: [4] })
    await d.send({ want: [1] })
    assert.deepEqual(await received(d, 1), [[1, undefined]])
    // the alternatives of a new request replace the old ones
    await d.send({ want: [2], alternatives: [5] })
    assert.deepEqual(await received(d, 1), [[5, 2]])
  })

  it('sends urgent pieces first, as asked, though sent before: never a substitute for them', async function () {
    assert.deepEqual(await received(await downloader([0, 1]), 2), [[0, undefined], [1, undefined]])
    // 0 was sent before and 2, 3 never: unmarked, 0 would go last, swapped for 5
    const d = await downloader([2, 3, 0], [5, 6], [0])
    assert.deepEqual(await received(d, 3), [[0, undefined], [2, undefined], [3, undefined]])
    // a piece asked earlier becomes urgent (a seek): a later request naming it moves it ahead
    // of 7 (4 may be on its way already), and it goes as asked, not swapped for 5 or 6
    await d.send({ want: [4, 7, 1], alternatives: [5, 6] })
    await d.send({ urgent: [1] })
    const got = await received(d, 3)
    assert.deepEqual(got.map(([, replaces]) => replaces), [undefined, undefined, undefined], JSON.stringify(got))
    assert.ok(got.findIndex(([i]) => i === 1) < got.findIndex(([i]) => i === 7), JSON.stringify(got))
    // marks for pieces not wanted change nothing
    await d.send({ want: [0], alternatives: [5], urgent: [6] })
    assert.deepEqual(await received(d, 1), [[5, 0]])
  })

  it('ends the stream of a request marking urgent a piece that does not exist, or more than 256', async function () {
    for (const urgent of [[entry.pieceCount], Array.from({ length: 257 }, () => 0)]) {
      const d = await downloader([0], [], urgent)
      const rest = await d.drain()
      assert.deepEqual(rest.messages, [], `something was sent (${urgent.length} marks)`)
      assert.equal(rest.error?.name, 'StreamResetError')
    }
  })

  it('ends the stream of a request offering a piece that does not exist (in the hello, or later)', async function () {
    await received(await downloader([0]), 1)
    const hello = await (await downloader([0], [entry.pieceCount + 3])).drain()
    assert.deepEqual(hello.messages, [], 'something was sent')
    assert.equal(hello.error?.name, 'StreamResetError')
    const later = await downloader([])
    assert.equal((await later.next())?.type, TransferResponse.Type.BITFIELD)
    await later.send({ want: [0], alternatives: [1, entry.pieceCount] })
    const rest = await later.drain()
    assert.deepEqual(rest.messages, [], 'a piece was sent')
    assert.equal(rest.error?.name, 'StreamResetError')
  })
})
