import { sep } from 'node:path'
import { OutputError } from './command.js'

/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  unreachable: 4,
  refused: 5,
  /** The output folder or file cannot be written (full, read-only, not a folder...). */
  output: 6,
  /**
   * The home folder (identity key, piece store) cannot be written. Apart from `output`:
   * the fix is elsewhere (--home, or room on that disk), and what is already stored is kept.
   */
  home: 7,
  /** A file to be written exists with other content (and --force was not given). */
  exists: 8,
  /** The home is owned by another process that cannot take the request, or the listen port is taken. */
  busy: 9,
  interrupted: 130
} as const

/** Every exit code with its meaning, as `mediaswarm help` lists them and the README documents them. */
export const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [EXIT.ok, 'success'],
  [EXIT.failure, 'an unexpected failure (a bug, or an error with no better code; the message says what)'],
  [EXIT.usage, 'a usage mistake: unknown command or option, bad value, missing argument'],
  [EXIT.notFound, 'no such file in the catalogue'],
  [EXIT.unreachable, 'the tracker cannot be reached, or is not the tracker asked for'],
  [EXIT.refused, 'the tracker refused the request (queue full, per-peer limit)'],
  [EXIT.output, 'the output file or folder cannot be written'],
  [EXIT.home, 'the home folder cannot be written'],
  [EXIT.exists, 'the output file exists with other content (use --force)'],
  [EXIT.busy, 'the home is owned by another process, or the port is in use'],
  [EXIT.interrupted, 'interrupted (Ctrl-C, SIGTERM)']
]

/** The peer's or tracker's home folder cannot be written; the cause carries the errno. */
export class HomeError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HomeError'
  }
}

/** Why a file-system call failed, in words, by errno code. */
const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large for that file system',
  EROFS: 'read-only file system',
  ENOTDIR: 'part of that path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'the disk reported an input/output error'
}

/** The reason for a file-system error code, or undefined when it is not one of ours to explain. */
export function fsReason (code: string | undefined): string | undefined {
  return code == null ? undefined : FS_REASONS[code]
}

/** Errno codes only a disk raises: whatever the call, the home's disk is at fault. */
const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EIO'])

/**
 * A file-system failure in the home folder (the store filling the disk mid-download, the
 * identity key that cannot be written) as a HomeError; any other error unchanged. An error
 * naming a path counts only when the path is inside `home`; one without (a write to an open
 * file) only for codes a disk raises, so a port that cannot be bound is never blamed on it.
 */
export function asHomeError (err: unknown, home: string): unknown {
  let e = err as (NodeJS.ErrnoException & { cause?: unknown }) | undefined
  for (let i = 0; i < 5 && e != null && typeof e.code !== 'string'; i++) e = e.cause as typeof e
  if (e == null || typeof e.code !== 'string' || typeof e.syscall !== 'string') return err
  const inHome = typeof e.path === 'string' && (e.path === home || e.path.startsWith(home + sep))
  if (inHome ? fsReason(e.code) != null : DISK_CODES.has(e.code)) {
    return new HomeError(`Cannot write to the home folder ${home}.`, { cause: err })
  }
  return err
}

/** The home or a port is taken by another process: one sentence says by whom and what to do. */
export class BusyError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BusyError'
  }
}

/** A file-system failure in the output folder (a download is written in place there) as an OutputError, else undefined. */
export function asOutputError (err: unknown, outDir: string, path: string): OutputError | undefined {
  let e = err as (NodeJS.ErrnoException & { cause?: unknown }) | undefined
  for (let i = 0; i < 5 && e != null && typeof e.code !== 'string'; i++) e = e.cause as typeof e
  if (typeof e?.path !== 'string' || !(e.path === path || e.path.startsWith(outDir + sep))) return undefined
  return new OutputError(`Cannot write ${path}.`, { cause: err })
}

interface Described { message: string, code: number }

/** The first errno-like `code` along an error's cause chain. */
export function causeCode (err: unknown): string | undefined {
  let e = err as { code?: string, cause?: unknown } | undefined
  for (let i = 0; i < 5 && e != null; i++) {
    if (typeof e.code === 'string') return e.code
    e = e.cause as typeof e
  }
  return undefined
}

/** Maps an error to one plain sentence and an exit code; never a stack trace. */
export function describeError (err: unknown): Described {
  const e = err as Error & { refusal?: string, retryAfterMs?: number }
  const sentence = (text: string): string => /[.!?]$/.test(text) ? text : `${text}.`
  switch (e?.name) {
    case 'UsageError':
      return { message: sentence(e.message), code: EXIT.usage }
    case 'NotFoundError':
      return { message: sentence(e.message), code: EXIT.notFound }
    case 'TrackerUnreachableError':
      return { message: sentence(e.message), code: EXIT.unreachable }
    case 'QueueRefusedError': {
      if (e.refusal === 'QUEUE_FULL') {
        return { message: `The tracker's queue is full; try again in ${Math.ceil((e.retryAfterMs ?? 5000) / 1000)} s.`, code: EXIT.refused }
      }
      if (e.refusal === 'PEER_LIMIT') return { message: 'You already have as many requests queued at this tracker as it allows; wait for one to finish.', code: EXIT.refused }
      if (e.refusal === 'UNKNOWN_CID') return { message: sentence(e.message), code: EXIT.notFound }
      return { message: sentence(`The tracker refused the request: ${e.message}`), code: EXIT.refused }
    }
    case 'OutputError':
    case 'HomeError': {
      const why = fsReason(causeCode(e))
      return { message: e.message.replace(/\.$/, '') + (why != null ? ` (${why})` : '') + '.', code: e.name === 'HomeError' ? EXIT.home : EXIT.output }
    }
    case 'BusyError':
      return { message: sentence(e.message), code: EXIT.busy }
    case 'HomeBusyError':
      return { message: sentence(e.message), code: EXIT.busy }
    case 'FileExistsError':
      return { message: sentence(e.message), code: EXIT.exists }
    case 'OwnerGoneError':
      return { message: sentence(e.message), code: EXIT.failure }
    case 'AbortError':
      return { message: 'Interrupted.', code: EXIT.interrupted }
    default: {
      const code = causeCode(e)
      if (code === 'EADDRINUSE') return { message: 'The listen address is already in use (is another tracker running? pick another port with --listen).', code: EXIT.failure }
      if (code === 'EACCES') return { message: sentence(`Permission denied: ${e?.message ?? ''}`), code: EXIT.failure }
      return { message: sentence(e?.message ?? String(err)), code: EXIT.failure }
    }
  }
}
