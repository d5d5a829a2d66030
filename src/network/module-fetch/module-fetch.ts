/**
 * /zerostate/module/1.0.0: a peer asks another for a module by its SHA-256
 * and gets the bytes, or an empty frame when the other does not hold it.
 * Witnesses use it to fetch the module of a receipt they re-execute from the
 * submitter that announced it, registries an agent's module from the peers
 * that published it. Modules are content-addressed, so the asker
 * trusts nothing: bytes that do not hash to what was asked are refused.
 */
import type { AbortOptions, Connection, Stream } from '@libp2p/interface'
import { bytesToHex, hexToBytes } from '../../core/encoding.ts'
import { assertSha256Hex } from '../../core/hash.ts'
import { MAX_MODULE_BYTES } from '../../core/limits.ts'
import { HASH_BYTES, MODULE_FETCH_PROTOCOL, MODULE_TRANSFER_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './constants.ts'
import { ModuleNotFoundError } from './errors.ts'
import { withTimeout } from '../../core/abort.ts'
import { abortReason, closeError, lengthPrefixedStream } from '../framed-stream.ts'

/** Serves one module request from `getModule` (which answers undefined for a module it lacks). */
export async function serveModule (stream: Stream, getModule: (hash: string) => Promise<Uint8Array | undefined>): Promise<void> {
  const messages = lengthPrefixedStream(stream, { maxDataLength: HASH_BYTES })
  try {
    const request = (await messages.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).subarray()
    if (request.byteLength !== HASH_BYTES) throw new RangeError(`a module request is a ${HASH_BYTES}-byte SHA-256`)
    const module = await getModule(bytesToHex(request))
    await messages.write(module ?? new Uint8Array(0), { signal: AbortSignal.timeout(MODULE_TRANSFER_TIMEOUT_MS) })
    await stream.close({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  } catch (err) {
    stream.abort(abortReason(err))
  }
}

/** The module with SHA-256 `hash` from the peer at the other end of `connection`, checked against the hash. */
export async function fetchModule (connection: Connection, hash: string, options: AbortOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const stream = await connection.newStream(MODULE_FETCH_PROTOCOL, { signal: withTimeout(options.signal, REQUEST_TIMEOUT_MS), runOnLimitedConnection: true })
    .catch((err: unknown) => { throw closeError(err) })
  const messages = lengthPrefixedStream(stream, { maxDataLength: MAX_MODULE_BYTES })
  try {
    await messages.write(hexToBytes(hash), { signal: withTimeout(options.signal, REQUEST_TIMEOUT_MS) })
    const module = new Uint8Array((await messages.read({ signal: withTimeout(options.signal, MODULE_TRANSFER_TIMEOUT_MS) })).subarray())
    // The module is in hand: a failure to close the stream politely changes nothing.
    await stream.close().catch(() => {})
    if (module.byteLength === 0) throw new ModuleNotFoundError(`${connection.remotePeer.toString()} does not hold module ${hash}`)
    assertSha256Hex(module, hash)
    return module
  } catch (err) {
    const reason = abortReason(err)
    stream.abort(reason)
    throw reason
  }
}
