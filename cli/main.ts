#!/usr/bin/env node
import '../node/polyfill.js'
import { parseArgs } from 'node:util'
import { UsageError } from './command.js'
import { commandEntries } from './commands/registry.js'
import { EXIT, EXIT_CODES, describeError } from './errors.js'
import { VERSION } from './version.js'
import type { Command, CommandContext } from './command.js'

function help (): string {
  const width = Math.max(...commandEntries.map(c => c.name.length))
  return [
    'mediaswarm - peer-assisted media sharing over libp2p',
    '',
    'usage: mediaswarm COMMAND [options]',
    '',
    ...commandEntries.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "mediaswarm help COMMAND" (or "mediaswarm COMMAND --help") for its options.',
    'Set DEBUG=mediaswarm* for logs. "mediaswarm -V" prints the version.',
    '',
    'exit codes:',
    ...EXIT_CODES.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`)
  ].join('\n')
}

function commandHelp (c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = `${o.short != null ? `-${o.short}, ` : '    '}--${name}${o.value != null ? ` ${o.value}` : ''}`
    return `  ${flag.padEnd(30)} ${o.description}`
  })
  return [`usage: mediaswarm ${c.usage}`, '', c.summary, '', 'options:', ...opts, `  ${'    --help'.padEnd(30)} show this help`].join('\n')
}

async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === 'help' && rest.length > 0) {
    const wanted = commandEntries.find(c => c.name === rest[0])
    if (wanted == null) {
      process.stderr.write(`Unknown command "${rest[0]}"; run "mediaswarm help" for the list.\n`)
      return EXIT.usage
    }
    process.stdout.write(commandHelp(await wanted.load()) + '\n')
    return EXIT.ok
  }
  if (name == null || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n')
    return name == null ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-V' || name === '-v' || name === 'version') {
    process.stdout.write(`mediaswarm ${VERSION}\n`)
    return EXIT.ok
  }
  const entry = commandEntries.find(c => c.name === name)
  if (entry == null) {
    process.stderr.write(`Unknown command "${name}"; run "mediaswarm --help" for the list.\n`)
    return EXIT.usage
  }
  // only this command's code is loaded (see commands/registry.ts)
  const command = await entry.load()
  const controller = new AbortController()
  const stop = (): void => {
    controller.abort(new DOMException('Interrupted', 'AbortError'))
    // a clean shutdown takes well under a second; never hang on one that does not finish
    setTimeout(() => {
      process.stderr.write('Shutdown took too long; exiting.\n')
      process.exit(EXIT.interrupted)
    }, 5000).unref()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    let parsed
    try {
      parsed = parseArgs({
        args: rest,
        allowPositionals: true,
        strict: true,
        options: { ...command.options, help: { type: 'boolean', short: 'h' } }
      })
    } catch (err) {
      // parseArgs explains over several lines: one sentence is the promise
      const first = (err as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/s, '').replace(/\.$/, '')
      const dash = /ambiguous/.test(first) ? '; for a value starting with a dash write --option=VALUE' : ''
      throw new UsageError(`${first}${dash} (see "mediaswarm ${name} --help").`)
    }
    if (parsed.values.help === true) {
      process.stdout.write(commandHelp(command) + '\n')
      return EXIT.ok
    }
    const ctx: CommandContext = {
      args: parsed.positionals,
      options: parsed.values as CommandContext['options'],
      env: process.env,
      cwd: process.cwd(),
      stdout: process.stdout,
      stderr: process.stderr,
      json: (parsed.values as Record<string, unknown>).json === true,
      signal: controller.signal
    }
    const result = await command.run(ctx)
    const text = ctx.json || command.render == null ? JSON.stringify(result, null, 2) : command.render(result, ctx)
    if (text !== '') process.stdout.write(text + '\n')
    return EXIT.ok
  } catch (err) {
    // only the user's Ctrl-C is "interrupted"; an abort from inside (a timeout) is a failure
    const { message, code } = controller.signal.aborted ? { message: 'Interrupted.', code: EXIT.interrupted } : describeError(err)
    process.stderr.write(`${message}\n`)
    if (process.env.DEBUG != null) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`)
    return code
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exit(code) },
  (err) => {
    process.stderr.write(`${describeError(err).message}\n`)
    process.exit(EXIT.failure)
  }
)
