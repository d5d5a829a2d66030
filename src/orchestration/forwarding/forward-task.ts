import { pbStream } from '@libp2p/utils'
import type { Connection } from '@libp2p/interface'
import { ExecutorLostError, OFFER_RESPONSE_TIMEOUT_MS, submitTaskOnStream } from '../task-protocol/index.ts'
import type { SubmitOptions, TaskOutcome, ValidOffer } from '../task-protocol/index.ts'
import { FORWARD_PROTOCOL, MAX_FORWARD_HEADER_BYTES, MAX_HOPS } from './constants.ts'
import { checkHeader } from './forwarder.ts'
import { ForwardHeader } from './pb/forward.ts'
import { withTimeout } from '../../core/abort.ts'
import { formatTraceparent } from '../../core/tracing/index.ts'
import { readTrailers } from './trailer.ts'
import { abortReason, closeError } from '../../network/framed-stream.ts'

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
 *
 * Traced (`options.trace`), the conversation hangs under a `forward` span
 * whose traceparent the header carries; each hop's `forward hop` span comes
 * back in a trailer after the RESULT and joins the trace (docs/tracing.md §6).
 */
export async function forwardTask (
  connection: Connection,
  header: ForwardTaskHeader,
  offer: ValidOffer,
  module: Uint8Array<ArrayBuffer>,
  options: SubmitOptions = {}
): Promise<TaskOutcome> {
  const tracing = options.trace
  const forward = tracing?.recorder.start('forward', tracing.parent, { 'zerostate.target': header.target, 'zerostate.via': connection.remotePeer.toString() })
  try {
    const wire = checkHeader({
      target: header.target,
      origin: header.origin,
      hopsLeft: header.hopsLeft ?? MAX_HOPS,
      visited: header.visited ?? [header.origin],
      ...(tracing === undefined || forward === undefined ? {} : { traceparent: formatTraceparent(tracing.recorder.contextOf(forward)) })
    })
    const signal = withTimeout(options.signal, OFFER_RESPONSE_TIMEOUT_MS)
    const via = connection.remotePeer.toString()
    // The task has not reached the target until its header is through: a failure before that (the hop's
    // connection closed — a relay past its data limit —, the stream refused or reset) is a lost executor the
    // origin may dispatch again elsewhere, not a raw stream error; the caller's own abort stays what it is.
    let stream
    try {
      stream = await connection.newStream(FORWARD_PROTOCOL, { signal, runOnLimitedConnection: true })
    } catch (err) {
      throw lostVia(via, header.target, closeError(err), options.signal)
    }
    const writer = pbStream(stream, { maxDataLength: MAX_FORWARD_HEADER_BYTES })
    const sentMs = tracing?.recorder.time()
    try {
      await writer.write(wire, ForwardHeader, { signal })
    } catch (err) {
      const reason = abortReason(err)
      stream.abort(reason)
      throw lostVia(via, header.target, reason, options.signal)
    }
    const traced: SubmitOptions = tracing === undefined || forward === undefined || sentMs === undefined
      ? options
      : {
          ...options,
          trace: { recorder: tracing.recorder, parent: forward },
          afterResult: async messages => { await readTrailers(messages, tracing.recorder, forward, sentMs, options.signal) }
        }
    // Nothing was read yet, so there is nothing buffered to re-emit.
    const outcome = await submitTaskOnStream(writer.unwrap(), header.target, header.origin, offer, module, traced)
    if (forward !== undefined) tracing?.recorder.end(forward)
    return outcome
  } catch (err) {
    if (forward !== undefined) tracing?.recorder.end(forward, err)
    throw err
  }
}

/** `cause` as ExecutorLostError, unless the caller aborted (its reason is what it gets). */
function lostVia (via: string, target: string, cause: unknown, callerSignal: AbortSignal | undefined): unknown {
  if (callerSignal?.aborted === true) return callerSignal.reason
  return new ExecutorLostError(`could not forward the task to ${target} via ${via}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
}
