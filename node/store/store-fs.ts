import { open } from 'node:fs/promises'
import { writeFileAtomic } from '../write-atomic.js'
import type { FileHandle } from 'node:fs/promises'

/**
 * The file-system calls whose order makes the store durable, so a test can watch that
 * order: piece data reaches the device before the bitfield that claims it.
 */
export interface StoreFileSystem {
  /** Flushes the written bytes of a data file to the device (fdatasync). */
  datasync: (handle: FileHandle) => Promise<void>
  /** Replaces a small file atomically and durably (the bitfield, the manifest). */
  writeFileAtomic: (path: string, data: Uint8Array) => Promise<void>
}

/** The real calls. */
export const nodeStoreFileSystem: StoreFileSystem = {
  datasync: async (handle) => { await handle.datasync() },
  writeFileAtomic: async (path, data) => { await writeFileAtomic(path, data) }
}

/** Opens a data file for reading and writing, creating it when missing (never truncating it). */
export async function openData (path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  try {
    return await open(path, 'wx+')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return open(path, 'r+')
  }
}

/**
 * Reads `length` bytes at `position`: into `into` (a view of its first `length` bytes is
 * returned) when it is given and large enough, else into a fresh buffer.
 */
export async function readBytes (handle: FileHandle, position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
  const buf = into != null && into.byteLength >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length)
  let read = 0
  while (read < length) {
    const { bytesRead } = await handle.read(buf, read, length - read, position + read)
    if (bytesRead === 0) throw new Error('File is shorter than its manifest')
    read += bytesRead
  }
  return buf
}

/** Writes all of `chunks` at `position`. */
export async function writeAll (handle: FileHandle, chunks: Uint8Array[], position: number): Promise<void> {
  const total = chunks.reduce((n, c) => n + c.byteLength, 0)
  let written = 0
  while (written < total) {
    const { bytesWritten } = await handle.writev(chunks, position + written)
    written += bytesWritten
    if (written < total) chunks = [Buffer.concat(chunks).subarray(bytesWritten)]
  }
}
