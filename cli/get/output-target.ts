import { rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { ensureDir } from '../../node/ensure-dir.js'
import { OutputError, UsageError } from '../command.js'
import type { CommandContext } from '../command.js'

/** Where `get` writes: standard output, one named file, or a folder. */
export type OutputTarget = { kind: 'stdout' } | { kind: 'file', path: string } | { kind: 'dir', dir: string }

/**
 * `-o`/`-d` as a target. `-o -` is standard output (one file); `-o NAME.EXT` names the file
 * when one file is fetched (unless that is an existing folder); any other `-o` is a folder,
 * as is `-d`. `count` is the number of files, once known.
 */
export async function outputTarget (ctx: CommandContext, count: number | undefined): Promise<OutputTarget> {
  const dir = ctx.options.dir
  if (typeof dir === 'string') return { kind: 'dir', dir: resolve(ctx.cwd, dir) }
  const output = ctx.options.output
  if (typeof output !== 'string') return { kind: 'dir', dir: ctx.cwd }
  if (output === '-') {
    if (count != null && count !== 1) throw new UsageError('-o - streams exactly one file; name one (or use -d DIR for several).')
    return { kind: 'stdout' }
  }
  const path = resolve(ctx.cwd, output)
  const isDir = (await stat(path).catch(() => undefined))?.isDirectory() === true
  if (isDir || output.endsWith('/') || !basename(path).includes('.')) return { kind: 'dir', dir: path }
  if (count != null && count !== 1) throw new UsageError(`-o ${output} names one file but ${count} files were asked for; use -d DIR for several.`)
  return { kind: 'file', path }
}

/**
 * Makes `dir` and writes a file in it: a real write, since access() says yes to root even on
 * read-only mounts.
 */
async function probeFolder (dir: string): Promise<void> {
  await ensureDir(dir)
  if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' })
  const probe = join(dir, `.mediaswarm-write-test-${process.pid}`)
  await writeFile(probe, '')
  await rm(probe, { force: true })
}

/** Fails early, before queueing, when the output folder cannot be written. */
export async function checkOutputTarget (target: OutputTarget): Promise<void> {
  if (target.kind === 'stdout') return
  const dir = target.kind === 'dir' ? target.dir : dirname(target.path)
  try {
    await probeFolder(dir)
  } catch (err) {
    throw new OutputError(`Cannot write to the output folder ${dir}.`, { cause: err })
  }
}
