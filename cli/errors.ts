/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  unreachable: 4,
  refused: 5,
  output: 6,
  interrupted: 130
} as const

interface Described { message: string, code: number }

function causeCode (err: unknown): string | undefined {
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
    case 'OutputError': {
      const code = causeCode(e)
      const why = code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'ENOSPC' ? ' (the disk is full)' : code === 'EROFS' ? ' (read-only file system)' : ''
      return { message: e.message.replace(/\.$/, '') + why + '.', code: EXIT.output }
    }
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
