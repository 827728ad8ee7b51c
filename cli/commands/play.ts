import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { CID } from 'multiformats/cid'
import { mediaPath, startMediaServer } from '../../node/index.js'
import { UsageError } from '../command.js'
import {
  DEFAULT_PEER_LISTEN, downloadOptions, explainUnreachable, homeOf, intOption, networkOptions, readNetworkOptions, sharingOptions, sharingPeerInit, trackerAddresses, untilStopped
} from '../context.js'
import { BusyError, causeCode } from '../errors.js'
import { openHome } from '../home.js'
import { ProgressDisplay } from '../output/progress.js'
import { summaryOf } from './registry.js'
import type { Command, CommandContext } from '../command.js'
import type { MediaServer } from '../../node/index.js'

/** Players tried in this order when --player is not given. */
export const PLAYERS = ['mpv', 'vlc', 'ffplay'] as const
const PLAYER_ARGS: Record<string, string[]> = {
  mpv: ['--force-window=immediate'],
  vlc: ['--play-and-exit'],
  ffplay: ['-autoexit', '-hide_banner', '-loglevel', 'error']
}

/** What `play` reports. */
export interface PlayResult {
  url: string
  cid: string
  player: string
}

async function onPath (program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    try {
      await access(join(dir, program), constants.X_OK)
      return true
    } catch {}
  }
  return false
}

async function choosePlayer (ctx: CommandContext): Promise<string> {
  const wanted = ctx.options.player
  if (typeof wanted === 'string') {
    if (wanted !== 'none' && !(PLAYERS as readonly string[]).includes(wanted)) throw new UsageError(`--player must be one of ${PLAYERS.join(', ')} or none.`)
    if (wanted !== 'none' && !(await onPath(wanted, ctx.env))) throw new UsageError(`The player ${wanted} is not installed (or not on PATH); use --player none to get a URL instead.`)
    return wanted
  }
  for (const p of PLAYERS) if (await onPath(p, ctx.env)) return p
  return 'none'
}

/** `mediaswarm play`: stream a file to a player while it downloads. */
export const playCommand: Command<PlayResult> = {
  name: 'play',
  summary: summaryOf('play'),
  usage: 'play NAME|CID [--player mpv|vlc|ffplay|none] [--port N] [--tracker MULTIADDR] [--home DIR] [--psk FILE] [--allow FILE]',
  options: {
    player: { type: 'string', value: 'NAME', description: 'mpv, vlc, ffplay, or none to print the URL and keep serving (default: the first installed)' },
    port: { type: 'string', value: 'N', description: 'HTTP port on 127.0.0.1 (default: any free port)' },
    tracker: { type: 'string', value: 'MULTIADDR', description: 'the tracker (default $MEDIASWARM_TRACKER or a local tracker)' },
    home: { type: 'string', value: 'DIR', description: 'peer identity and piece cache (default ~/.mediaswarm/peer)' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', description: `where other peers reach us (default ${DEFAULT_PEER_LISTEN})` },
    'no-upnp': { type: 'boolean', description: 'do not ask the home router (UPnP IGD or NAT-PMP) to forward a port to this peer' },
    json: { type: 'boolean', description: 'print the URL as JSON once serving' },
    ...sharingOptions,
    ...downloadOptions,
    ...networkOptions
  },
  async run (ctx) {
    if (ctx.args.length !== 1) throw new UsageError('Name one file to play (see "mediaswarm ls").')
    const player = await choosePlayer(ctx)
    const port = intOption(ctx, 'port', 0, 0, 65535)
    const network = await readNetworkOptions(ctx)
    const home = homeOf(ctx, 'peer')
    const { client, owner } = await openHome(ctx, home, 'play', async () => ({ home, tracker: await trackerAddresses(ctx), ...sharingPeerInit(ctx, network) }))
      .catch((err: unknown) => { throw explainUnreachable(network, err) })
    try {
      const item = await client.resolve(ctx.args[0], ctx.signal)
      const cid = CID.decode(item.cid).toString()
      const name = item.path.split('/').pop() ?? item.path
      let url: string
      let server: MediaServer | undefined
      if (owner == null) {
        // the daemon streams it from its web player, and keeps sharing it
        const { web } = await client.play(cid, ctx.signal)
        if (web == null) throw new BusyError(`The home ${home} is in use by "mediaswarm ${client.hello.role}" (pid ${client.hello.pid}), which does not stream; wait for it, or run "mediaswarm peer" on this home.`)
        url = `${web}${mediaPath(cid, name)}`
      } else {
        const peer = owner.peer
        await peer.fetch(CID.parse(cid), { signal: ctx.signal })
        server = await startMediaServer({ open: async (c, s) => peer.media(c, s), logger: peer.host.logger, port }).catch((err: unknown) => {
          if (causeCode(err) === 'EADDRINUSE') throw new BusyError(`Port ${port} on 127.0.0.1 is already in use; choose another with --port, or leave --port out for any free port.`)
          throw err
        })
        url = server.urlOf(cid, name)
      }
      try {
        if (ctx.json) ctx.stdout.write(JSON.stringify({ event: 'serving', url, cid, player }) + '\n')
        else ctx.stdout.write(`streaming ${item.path} at ${url}\n${player === 'none' ? 'open it in any player or browser; press Ctrl-C to stop\n' : `starting ${player}\n`}`)
        const progress = new AbortController()
        if (!ctx.json) {
          const display = new ProgressDisplay(ctx.stderr, name)
          client.get({ cid }, (e) => {
            if (e.type === 'queue:position') display.queued(e.position, e.waiting, e.etaMs)
            else if (e.type === 'download:start') display.start(e.total, e.have)
            else if (e.type === 'piece') display.advance(e.bytes, e)
          }, progress.signal).then(() => { display.finish(); ctx.stderr.write(`${name}: complete, sharing it with the swarm\n`) }, () => { display.end() })
        }
        try {
          if (player === 'none') {
            await untilStopped(ctx)
          } else {
            const child = spawn(player, [...(PLAYER_ARGS[player] ?? []), url], { stdio: 'ignore' })
            await Promise.race([
              new Promise<void>(resolve => { child.once('exit', () => { resolve() }); child.once('error', () => { resolve() }) }),
              untilStopped(ctx)
            ])
            if (child.exitCode == null) child.kill()
          }
        } finally {
          progress.abort()
        }
        return { url, cid, player }
      } finally {
        await server?.close()
      }
    } catch (err) {
      throw explainUnreachable(network, err)
    } finally {
      await owner?.close(ctx.signal.aborted)
    }
  },
  render: (r) => r.player === 'none' ? 'stopped' : `${r.player} closed`
}
