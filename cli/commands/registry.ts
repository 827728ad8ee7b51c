import type { Command } from '../command.js'

/** A command as the entry point knows it before loading it: its name, summary and loader. */
export interface CommandEntry {
  name: string
  /** One line for the command list (the command's own `summary`). */
  summary: string
  /** Loads the command's module (and with it only the code that command needs). */
  load: () => Promise<Command<any>>
}

/**
 * Every command, in the order `--help` lists them. The entry point loads only the command
 * it runs: `--help` and `--version` load none, `get` neither the tracker nor the player.
 */
export const commandEntries: CommandEntry[] = [
  { name: 'tracker', summary: 'Run a tracker serving a media folder, with an ordered request queue', load: async () => (await import('./tracker.js')).trackerCommand },
  { name: 'peer', summary: 'Join as a long-running peer that reshares everything in its cache', load: async () => (await import('./peer.js')).peerCommand },
  { name: 'ls', summary: "List the tracker's catalogue (optionally matching QUERY)", load: async () => (await import('./ls.js')).lsCommand },
  { name: 'get', summary: 'Fetch files by name or cid: queue position, then a verified download', load: async () => (await import('./get.js')).getCommand },
  { name: 'play', summary: 'Play a file while it downloads (HTTP range server on 127.0.0.1 + mpv, vlc or ffplay)', load: async () => (await import('./play.js')).playCommand },
  { name: 'status', summary: "Show the tracker's queue, connected peers, and per-file offload", load: async () => (await import('./status.js')).statusCommand },
  { name: 'keygen', summary: 'Write a new network key (swarm.key) for a closed network; pass it to every node with --psk', load: async () => (await import('./keygen.js')).keygenCommand }
]

/** The summary of the command `name` (each command's module takes its own from here). */
export function summaryOf (name: string): string {
  const entry = commandEntries.find(c => c.name === name)
  if (entry == null) throw new Error(`No command "${name}" in the registry`)
  return entry.summary
}
