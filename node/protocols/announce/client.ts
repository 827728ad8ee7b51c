import { ProtocolError } from '../../errors.js'
import { StreamReader, expectMessage, writeMessage } from '../../streams/index.js'
import { ANNOUNCE_PROTOCOL, MAX_QUEUE_UPDATE_BYTES, RESPONSE_TIMEOUT_MS } from '../constants.js'
import { AnnounceRequest, AnnounceResponse } from './pb/announce.js'
import type { Host } from '../../host/index.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The tracker answered an announcement with a refusal (ok: false): for RENEW, the grant is gone. */
export class AnnounceRefusedError extends ProtocolError {
  constructor (message = 'The tracker refused the announcement', options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AnnounceRefusedError'
  }
}

/** Sends one announcement to the tracker and returns its answer; throws AnnounceRefusedError on a refusal. */
export async function announce (host: Host, tracker: PeerId, request: Partial<AnnounceRequest>, signal?: AbortSignal): Promise<AnnounceResponse> {
  const timeout = AbortSignal.timeout(RESPONSE_TIMEOUT_MS)
  const combined = signal == null ? timeout : AbortSignal.any([signal, timeout])
  const stream = await host.dialProtocol(tracker, ANNOUNCE_PROTOCOL, { signal: combined })
  try {
    const reader = new StreamReader(stream)
    await writeMessage(stream, request, AnnounceRequest, combined)
    await stream.close({ signal: combined })
    const response = await expectMessage(reader, AnnounceResponse, MAX_QUEUE_UPDATE_BYTES, combined)
    if (!response.ok) throw new AnnounceRefusedError(`Tracker refused the announcement: ${response.message}`)
    return response
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** What a {@link report} says about a provider. */
export interface ProviderReport {
  cid: CID
  /** The provider's PeerId. */
  provider: string
  reason: 'bad-piece' | 'stalled' | 'lied' | 'protocol'
}

/**
 * Reports a provider that sent a bad piece, stalled or lied (announce REPORT), so the
 * tracker stops naming it. Throws when the tracker refused or could not be reached; callers
 * usually fire and forget.
 */
export async function report (host: Host, tracker: PeerId, what: ProviderReport, signal?: AbortSignal): Promise<void> {
  await announce(host, tracker, {
    type: AnnounceRequest.Type.REPORT,
    cid: new Uint8Array(what.cid.bytes),
    provider: what.provider,
    reason: what.reason
  }, signal)
}
