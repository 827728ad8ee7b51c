/**
 * The NAT-PMP side of a home router, run inside its namespace by the namespace tests:
 * `node pmp-router.js '<json: PmpRouterInit>'`. Starts the NAT-PMP responder of
 * test/fixtures/nat-pmp-responder.ts on the router's LAN address (UDP 5351), and turns each
 * mapping a client asks for into an nftables DNAT rule on the WAN side (removed when the
 * mapping is deleted). Prints one JSON line per event ({@link PmpRouterEvent}); runs until killed.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startNatPmpResponder } from '../fixtures/nat-pmp-responder.js'
import type { PmpMapping } from '../fixtures/nat-pmp-responder.js'

const run = promisify(execFile)

/** Where the router is. */
export interface PmpRouterInit {
  /** The router's WAN address (what the gateway reports as external) and interface. */
  publicAddress: string
  wan: string
  /** The router's LAN address (the clients' default gateway). */
  gatewayAddress: string
}

/** One line of the script's stdout. */
export type PmpRouterEvent =
  | { event: 'ready', port: number }
  | { event: 'mapped', mapping: PmpMapping }
  | { event: 'unmapped', mapping: PmpMapping }
  | { event: 'error', message: string }

function emit (event: PmpRouterEvent): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

const comment = (m: PmpMapping): string => `pmp-${m.protocol.toLowerCase()}-${m.internalClient}-${m.internalPort}`

async function removeRules (m: PmpMapping): Promise<void> {
  const { stdout } = await run('nft', ['-a', 'list', 'chain', 'ip', 'nat', 'prerouting'])
  for (const line of stdout.split('\n').filter(l => l.includes(`"${comment(m)}"`))) {
    const handle = /# handle (\d+)/.exec(line)?.[1]
    if (handle != null) await run('nft', ['delete', 'rule', 'ip', 'nat', 'prerouting', 'handle', handle])
  }
}

async function main (): Promise<void> {
  const init = JSON.parse(process.argv[2] ?? '{}') as PmpRouterInit
  const responder = await startNatPmpResponder({
    externalIp: init.publicAddress,
    host: init.gatewayAddress,
    port: 5351,
    onMap: async (m) => {
      // a renewal replaces the rule; lifetime 0 deletes it
      await removeRules(m)
      if (m.lifetime === 0) {
        emit({ event: 'unmapped', mapping: m })
        return
      }
      const externalPort = m.externalPort === 0 ? m.internalPort : m.externalPort
      const proto = m.protocol.toLowerCase()
      await run('nft', ['add', 'rule', 'ip', 'nat', 'prerouting', 'iifname', init.wan, proto, 'dport', String(externalPort),
        'dnat', 'to', `${m.internalClient}:${m.internalPort}`, 'comment', `"${comment(m)}"`])
      emit({ event: 'mapped', mapping: { ...m, externalPort } })
      return externalPort
    }
  })
  emit({ event: 'ready', port: responder.port })
}

main().catch((err: Error) => { emit({ event: 'error', message: err.stack ?? err.message }) })
