import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

const TAIL_CHARS = 4000
const live = new Set<ChildProcess>()

/** A child process whose output is collected (stdout fully, stderr as a tail). */
export interface Child {
  name: string
  proc: ChildProcess
  pid: number
  stdout: () => string
  stderrTail: () => string
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** Calls `fn` with each complete stdout line as it arrives. */
  onLine: (fn: (line: string) => void) => void
}

export class ChildError extends Error {
  constructor (message: string, readonly child: Child) { super(message) }
}

/**
 * Whether bench children run without NODE_EXTRA_CA_CERTS. Node reads the certificates that
 * variable names before it runs any code: on the machine these benches were tuned on it names
 * a 144-certificate bundle, ~50 ms of CPU at every process start (`node -e 0`: 0.07-0.10 s
 * with it, 0.03-0.05 without). No benchmarked process uses a certificate authority (libp2p's
 * TLS checks certificates itself), so the variable would only add the host's configuration
 * to every start-up measured. MEDIASWARM_BENCH_KEEP_ENV=1 keeps it.
 */
export const DROPS_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS != null && process.env.MEDIASWARM_BENCH_KEEP_ENV !== '1'

/** The environment of a bench child: the bench's own (see {@link DROPS_EXTRA_CA_CERTS}) plus `env`. */
export function childEnv (env?: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, ...env }
  if (DROPS_EXTRA_CA_CERTS) delete out.NODE_EXTRA_CA_CERTS
  return out
}

/** Starts `node <args>` (the current Node binary) and tracks it for cleanup; `env` adds variables. */
export function startNode (name: string, args: string[], cwd?: string, env?: Record<string, string>): Child {
  // MEDIASWARM_BENCH_NODE_ARGS (say `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes before every child's args
  const nodeArgs = (process.env.MEDIASWARM_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const proc = spawn(process.execPath, [...nodeArgs, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) })
  if (proc.pid === undefined) throw new Error(`Could not start the ${name} process.`)
  live.add(proc)
  let out = ''
  let err = ''
  let partial = ''
  const listeners: Array<(line: string) => void> = []
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    out += s
    partial += s
    let nl: number
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl)
      partial = partial.slice(nl + 1)
      for (const fn of listeners) fn(line)
    }
  })
  // MEDIASWARM_BENCH_LOG_DIR: every child's whole stderr goes to <dir>/<name>-<pid>.log too
  // (with DEBUG=mediaswarm:… its timestamped log lines make a timeline of a run)
  const logDir = process.env.MEDIASWARM_BENCH_LOG_DIR
  const logFile = logDir === undefined || logDir === '' ? undefined : createWriteStream(join(logDir, `${name.replace(/\W+/g, '-')}-${proc.pid}.log`))
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
    err = (err + s).slice(-TAIL_CHARS)
    logFile?.write(s)
  })
  proc.stderr!.on('end', () => { logFile?.end() })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('error', (e) => { err += `\nspawn error: ${e.message}`; live.delete(proc); resolve({ code: null, signal: null }) })
    proc.on('close', (code, signal) => { live.delete(proc); resolve({ code, signal }) })
  })
  return {
    name, proc, pid: proc.pid, exited,
    stdout: () => out,
    stderrTail: () => err,
    onLine: (fn) => { listeners.push(fn) }
  }
}

/** Waits for the first stdout line that parses as JSON and satisfies `accept`. */
export function waitForJsonLine<T> (child: Child, accept: (v: any) => v is T, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ChildError(`The ${child.name} process printed nothing usable within ${timeoutMs / 1000} s.`, child)), timeoutMs)
    child.onLine((line) => {
      let v: unknown
      try { v = JSON.parse(line) } catch { return }
      if (accept(v)) { clearTimeout(timer); resolve(v) }
    })
    void child.exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new ChildError(`The ${child.name} process exited (code ${code}, signal ${signal}) before reporting.`, child))
    })
  })
}

/** Waits for exit; rejects on timeout or on a non-zero exit. */
export async function expectCleanExit (child: Child, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs) })
  const r = await Promise.race([child.exited, timeout])
  clearTimeout(timer)
  if (r === 'timeout') throw new ChildError(`The ${child.name} process did not finish within ${Math.round(timeoutMs / 1000)} s.`, child)
  if (r.code !== 0) throw new ChildError(`The ${child.name} process failed (exit code ${r.code}, signal ${r.signal}).`, child)
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves with how it exited. */
export async function stop (child: Child, graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null, signal: NodeJS.Signals | null, killed: boolean }> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return { ...(await child.exited), killed: false }
  child.proc.kill(signal)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), graceMs) })
  const r = await Promise.race([child.exited, timeout])
  clearTimeout(timer)
  if (r !== 'timeout') return { ...r, killed: false }
  child.proc.kill('SIGKILL')
  return { ...(await child.exited), killed: true }
}

/** Kills every child still running (SIGTERM, then SIGKILL after a short grace). */
export async function killAll (graceMs = 2000): Promise<void> {
  const procs = [...live]
  for (const p of procs) p.kill('SIGTERM')
  const deadline = Date.now() + graceMs
  while (live.size > 0 && Date.now() < deadline) await sleep(50)
  for (const p of live) p.kill('SIGKILL')
}

/** Peak resident set size (VmHWM) of a live process, in bytes. */
export async function vmHwmBytes (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)
  if (m == null) throw new Error(`No VmHWM line in /proc/${pid}/status.`)
  return Number(m[1]) * 1024
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** CPU time (user + system, seconds) a live process has used so far, from /proc/<pid>/stat. */
export async function cpuSeconds (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // USER_HZ is 100 on Linux
}
