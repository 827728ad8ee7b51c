import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../write-atomic.js'

/**
 * The queue request id of each cid being fetched, kept in a small JSON file of the home
 * (`requests.json`), so a run that crashed and is started again asks with the same id and
 * keeps its place in the tracker's queue. An entry is removed once its file is complete.
 */
export class RequestIds {
  readonly #path: string
  /** Updates one at a time, so concurrent ones do not lose each other's entries. */
  #chain: Promise<unknown> = Promise.resolve()

  constructor (path: string) {
    this.#path = path
  }

  async #read (): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.#path, 'utf8'))
      if (parsed == null || typeof parsed !== 'object' || Array.isArray(parsed)) return {}
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'))
    } catch {
      return {} // missing or damaged: start afresh
    }
  }

  async #update<T> (fn: (ids: Record<string, string>) => { ids?: Record<string, string>, value: T }): Promise<T> {
    const next = this.#chain.then(async () => {
      const { ids, value } = fn(await this.#read())
      // atomic, not flushed: an id only keeps a place in the queue, and `get` writes it before
      // asking for its ticket: waiting for the disk there delayed every start
      if (ids != null) await writeFileAtomic(this.#path, JSON.stringify(ids) + '\n', { sync: false })
      return value
    })
    this.#chain = next.catch(() => {})
    return next
  }

  /** The request id of `cid`: the saved one, else a new one, saved before it is returned. */
  async idOf (cid: string): Promise<string> {
    return this.#update(ids => {
      const known = ids[cid]
      if (known != null) return { value: known }
      const id = randomUUID()
      return { ids: { ...ids, [cid]: id }, value: id }
    })
  }

  /** Forgets the request id of `cid` (its file is complete). */
  async forget (cid: string): Promise<void> {
    await this.#update(ids => {
      if (ids[cid] == null) return { value: undefined }
      const { [cid]: _gone, ...rest } = ids
      return { ids: rest, value: undefined }
    })
  }
}
