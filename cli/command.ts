import type { Writable } from 'node:stream'

/** One option of a command, as `node:util` parseArgs takes it, plus help text. */
export interface CommandOption {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** Shown in `--help`. */
  description: string
  /** Placeholder shown in `--help`, e.g. DIR. */
  value?: string
}

/** What a command gets to run. */
export interface CommandContext {
  /** Positional arguments after the command name. */
  args: string[]
  options: Record<string, string | boolean | string[] | undefined>
  env: NodeJS.ProcessEnv
  cwd: string
  stdout: Writable & { isTTY?: boolean, columns?: number }
  stderr: Writable & { isTTY?: boolean, columns?: number }
  /** `--json` was given: print machine-readable results only. */
  json: boolean
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal
}

/** A CLI command: one file under cli/commands/. */
export interface Command<Result = unknown> {
  name: string
  /** One line for the command list. */
  summary: string
  /** Usage line after `mediaswarm`, e.g. `get NAME|CID... [options]`. */
  usage: string
  options: Record<string, CommandOption>
  /** Runs the command; returns data, or throws a typed error. */
  run: (ctx: CommandContext) => Promise<Result>
  /** Human-readable rendering of the result; JSON is printed when absent or with --json. */
  render?: (result: Result, ctx: CommandContext) => string
}

/** The user's mistake: printed as one sentence, exit code 2. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** An output folder or file that cannot be written. */
export class OutputError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'OutputError'
  }
}
