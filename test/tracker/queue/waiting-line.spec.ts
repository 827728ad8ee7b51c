import assert from 'node:assert/strict'
import { WaitingLine } from '../../../tracker/queue/waiting-line.js'
import { prng } from '../../fixtures/queue-kit.js'

describe('tracker/queue WaitingLine', () => {
  interface Item { id: number, lineIndex: number }
  const item = (id: number): Item => ({ id, lineIndex: -1 })

  it('keeps FIFO order through removals from anywhere and compaction', () => {
    const line = new WaitingLine<Item>()
    const model: Item[] = []
    const random = prng(3)
    let next = 0
    for (let step = 0; step < 20_000; step++) {
      const r = random()
      if (r < 0.5 || model.length === 0) {
        const it = item(next++)
        assert.equal(line.push(it), model.length + 1)
        model.push(it)
      } else if (r < 0.75) {
        assert.equal(line.shift(), model.shift())
      } else {
        const victim = model.splice(Math.floor(random() * model.length), 1)[0]
        assert.equal(line.remove(victim), true)
        assert.equal(line.remove(victim), false)
      }
      assert.equal(line.size, model.length)
      assert.equal(line.peek(), model[0])
    }
    assert.deepEqual([...line], model)
  })

  it('visits the items behind a removed one', () => {
    const line = new WaitingLine<Item>()
    const items = [0, 1, 2, 3, 4].map(item)
    items.forEach((i) => line.push(i))
    line.remove(items[2])
    const seen: number[] = []
    line.forEachAfter(items[2].lineIndex, (i) => seen.push(i.id))
    assert.deepEqual(seen, [3, 4])
    line.shift()
    seen.length = 0
    line.forEachAfter(-1, (i) => seen.push(i.id))
    assert.deepEqual(seen, [1, 3, 4])
  })
})
