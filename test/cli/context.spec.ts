import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { loopbackOnly, sharingPeerInit } from '../../cli/context.js'
import type { CommandContext } from '../../cli/command.js'
import type { NetworkSettings } from '../../cli/context.js'

function ctxWith (options: CommandContext['options']): CommandContext {
  return { args: [], options, env: {}, cwd: '/', stdout: new PassThrough(), stderr: new PassThrough(), json: false, signal: new AbortController().signal }
}

describe('cli: the sharing options of a peer', function () {
  it('loopbackOnly() is true only when every listen address is a loopback one', function () {
    assert.equal(loopbackOnly(['/ip4/127.0.0.1/tcp/0']), true)
    assert.equal(loopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/0']), true)
    assert.equal(loopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/0']), false)
    assert.equal(loopbackOnly(['/ip4/192.168.1.2/tcp/4001']), false)
    assert.equal(loopbackOnly(['/ip6/::/tcp/0']), false)
    assert.equal(loopbackOnly([]), false)
  })

  it('a lasting peer searches for a UPnP router unless it listens on loopback only or was told --no-upnp', function () {
    const network: NetworkSettings = {}
    const upnp = (options: CommandContext['options']): unknown => sharingPeerInit(ctxWith(options), network).host?.upnp
    assert.equal(upnp({}), true) // the default listens on every interface
    assert.equal(upnp({ listen: '/ip4/0.0.0.0/tcp/0' }), true)
    assert.equal(upnp({ listen: '/ip4/127.0.0.1/tcp/0' }), false)
    assert.equal(upnp({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/0'] }), true)
    assert.equal(upnp({ 'no-upnp': true }), false)
    // a one-shot get never maps a port
    assert.equal(sharingPeerInit(ctxWith({}), network, true, false).host?.upnp, false)
  })
})
