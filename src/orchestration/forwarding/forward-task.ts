import { pbStream } from '@libp2p/utils'
import type { Connection } from '@libp2p/interface'
import { OFFER_RESPONSE_TIMEOUT_MS, submitTaskOnStream } from '../task-protocol/index.ts'
import type { SubmitOptions, TaskOutcome, ValidOffer } from '../task-protocol/index.ts'
import { FORWARD_PROTOCOL, MAX_FORWARD_HEADER_BYTES, MAX_HOPS } from './constants.ts'
import { checkHeader } from './forwarder.ts'
import { ForwardHeader } from './pb/forward.ts'
import { withTimeout } from '../../core/abort.ts'

export interface ForwardTaskHeader {
  /** The executor's PeerId string. */
  target: string
  /** The submitter's (this peer's) PeerId string; the receipt must name it. */
  origin: string
  /** Default MAX_HOPS. */
  hopsLeft?: number
  /** Default `[origin]`. */
  visited?: string[]
}

/**
 * Submits a task to `header.target` through the neighbour at the other end of
 * `connection`: opens /zerostate/forward/1.0.0, sends the header, then runs
 * the ordinary submitter half of /zerostate/task/1.0.0 on the same stream.
 * Resolves only with a result whose receipt the target signed for
 * `header.origin`; a hop that cannot go on makes it reject with a
 * RemoteTaskError named HopLimitError, RoutingLoopError, NoRouteError or
 * InvalidForwardHeaderError.
 */
export async function forwardTask (
  connection: Connection,
  header: ForwardTaskHeader,
  offer: ValidOffer,
  module: Uint8Array<ArrayBuffer>,
  options: SubmitOptions = {}
): Promise<TaskOutcome> {
  const wire = checkHeader({
    target: header.target,
    origin: header.origin,
    hopsLeft: header.hopsLeft ?? MAX_HOPS,
    visited: header.visited ?? [header.origin]
  })
  const signal = withTimeout(options.signal, OFFER_RESPONSE_TIMEOUT_MS)
  const stream = await connection.newStream(FORWARD_PROTOCOL, { signal, runOnLimitedConnection: true })
  const writer = pbStream(stream, { maxDataLength: MAX_FORWARD_HEADER_BYTES })
  try {
    await writer.write(wire, ForwardHeader, { signal })
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
  // Nothing was read yet, so there is nothing buffered to re-emit.
  return submitTaskOnStream(writer.unwrap(), header.target, header.origin, offer, module, options)
}
