/** Something that can stand in a {@link WaitingLine}; the line owns `lineIndex`. */
export interface LineItem {
  /** Slot of the item in the line's backing array; only meaningful while it is in the line. */
  lineIndex: number
}

/** Compact only once at least this many dead slots have piled up. */
const MIN_DEAD_SLOTS_TO_COMPACT = 64

/**
 * A FIFO line with O(1) push, shift and removal from anywhere.
 *
 * Items sit in an array read from a head index; taking one out (from the front or the middle)
 * leaves a hole instead of moving the others, so every item keeps its `lineIndex`. Holes are
 * squeezed out on a later push once they outnumber the live items, which keeps the array within
 * twice the live count and the cost of squeezing amortised O(1) per removal.
 */
export class WaitingLine<T extends LineItem> {
  private slots: Array<T | undefined> = []
  private head = 0
  private live = 0

  /** Number of items in the line. */
  get size (): number {
    return this.live
  }

  /** Appends `item` and returns its 1-based position (the new size). */
  push (item: T): number {
    this.compactIfSparse()
    item.lineIndex = this.slots.length
    this.slots.push(item)
    this.live++
    return this.live
  }

  /** The first item, without taking it out. */
  peek (): T | undefined {
    this.skipHoles()
    return this.slots[this.head]
  }

  /** Takes out and returns the first item. */
  shift (): T | undefined {
    this.skipHoles()
    const item = this.slots[this.head]
    if (item === undefined) {
      return undefined
    }
    this.slots[this.head] = undefined
    this.head++
    this.live--
    return item
  }

  /**
   * Takes `item` out wherever it stands. Returns false when it is not in this line. Its
   * `lineIndex` is left as it was, so a caller can still visit the items that stood behind it
   * with {@link forEachAfter} (until the next push).
   */
  remove (item: T): boolean {
    if (this.slots[item.lineIndex] !== item) {
      return false
    }
    this.slots[item.lineIndex] = undefined
    this.live--
    return true
  }

  /** Calls `fn` for every item behind slot `lineIndex`, front to back. */
  forEachAfter (lineIndex: number, fn: (item: T) => void): void {
    // read the length once: items pushed by `fn` are not visited
    const end = this.slots.length
    for (let i = Math.max(lineIndex + 1, this.head); i < end; i++) {
      const item = this.slots[i]
      if (item !== undefined) {
        fn(item)
      }
    }
  }

  /** The items front to back, in a new array (a plain loop: far cheaper than the iterator for thousands). */
  toArray (): T[] {
    const out: T[] = []
    for (let i = this.head; i < this.slots.length; i++) {
      const item = this.slots[i]
      if (item !== undefined) out.push(item)
    }
    return out
  }

  /** The items front to back. */
  * [Symbol.iterator] (): IterableIterator<T> {
    for (let i = this.head; i < this.slots.length; i++) {
      const item = this.slots[i]
      if (item !== undefined) {
        yield item
      }
    }
  }

  /** Empties the line. */
  clear (): void {
    this.slots = []
    this.head = 0
    this.live = 0
  }

  private skipHoles (): void {
    while (this.head < this.slots.length && this.slots[this.head] === undefined) {
      this.head++
    }
  }

  private compactIfSparse (): void {
    const dead = this.slots.length - this.live
    if (dead < MIN_DEAD_SLOTS_TO_COMPACT || dead < this.live) {
      return
    }
    const packed: T[] = []
    for (let i = this.head; i < this.slots.length; i++) {
      const item = this.slots[i]
      if (item !== undefined) {
        item.lineIndex = packed.length
        packed.push(item)
      }
    }
    this.slots = packed
    this.head = 0
  }
}
