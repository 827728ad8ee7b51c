/**
 * The UPnP side of a home router, run inside its namespace by the namespace tests:
 * `node igd-router.js '<json: IgdRouterInit>'`. Starts the IGD responder of
 * test/fixtures/igd-responder.ts on the LAN, and turns each port mapping a client asks for
 * into an nftables DNAT rule on the router's WAN side (removed when the mapping is deleted),
 * as miniupnpd does. Prints one JSON line per event ({@link IgdRouterEvent}); runs until killed.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startIgdResponder } from '../fixtures/igd-responder.js'
import type { IgdMapping } from '../fixtures/igd-responder.js'

const run = promisify(execFile)

/** Where the router is. */
export interface IgdRouterInit {
  /** The router's WAN address (what the gateway reports as external) and interface. */
  publicAddress: string
  wan: string
  /** The router's LAN address (where clients find the responder). */
  gatewayAddress: string
}

/** One line of the script's stdout. */
export type IgdRouterEvent =
  | { event: 'ready', descriptionUrl: string }
  | { event: 'mapped', mapping: IgdMapping }
  | { event: 'unmapped', mapping: IgdMapping }
  | { event: 'error', message: string }

function emit (event: IgdRouterEvent): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

const comment = (m: IgdMapping): string => `igd-${m.protocol.toLowerCase()}-${m.externalPort}`

async function main (): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as IgdRouterInit
  const responder = await startIgdResponder({
    externalIp: init.publicAddress,
    host: '0.0.0.0',
    advertiseHost: init.gatewayAddress,
    multicastInterface: init.gatewayAddress,
    onAddPortMapping: async (m) => {
      const proto = m.protocol.toLowerCase()
      await run('nft', ['add', 'rule', 'ip', 'nat', 'prerouting', 'iifname', init.wan, proto, 'dport', String(m.externalPort),
        'dnat', 'to', `${m.internalClient}:${m.internalPort}`, 'comment', `"${comment(m)}"`])
      emit({ event: 'mapped', mapping: m })
    },
    onDeletePortMapping: async (m) => {
      const { stdout } = await run('nft', ['-a', 'list', 'chain', 'ip', 'nat', 'prerouting'])
      for (const line of stdout.split('\n').filter(l => l.includes(`"${comment(m)}"`))) {
        const handle = /# handle (\d+)/.exec(line)?.[1]
        if (handle != null) await run('nft', ['delete', 'rule', 'ip', 'nat', 'prerouting', 'handle', handle])
      }
      emit({ event: 'unmapped', mapping: m })
    }
  })
  emit({ event: 'ready', descriptionUrl: responder.descriptionUrl })
}

main().catch((err: Error) => { emit({ event: 'error', message: err.stack ?? err.message }) })
