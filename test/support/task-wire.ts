/** Task-protocol messages as a hand-written peer sends them: signed receipts, raw frames, frames sent slowly. */
import type { Stream } from '@libp2p/interface'
import { bytesToBase64Url } from '../../src/core/encoding.ts'
import { sha256Hex } from '../../src/core/hash.ts'
import type { PeerIdentity } from '../../src/crypto/identity.ts'
import type { ValidOffer } from '../../src/orchestration/task-protocol/index.ts'
import { FREE_PRICES } from '../../src/receipts/pricing/index.ts'
import { RECEIPT_VERSION, filesHash, signReceipt } from '../../src/receipts/index.ts'
import type { Receipt } from '../../src/receipts/index.ts'

/**
 * A receipt `identity` signs for running `offer` for `submitter`: exit 0 with
 * `stdout` and no stderr or files, free; `price` overrides the price block
 * (a hand-written executor that lies about the budget, say).
 */
export async function signedReceiptFor (identity: PeerIdentity, offer: ValidOffer, submitter: string, options: { stdout?: Uint8Array, price?: Partial<Receipt['price']> } = {}): Promise<Receipt> {
  const empty = new Uint8Array(0)
  return signReceipt({
    version: RECEIPT_VERSION,
    taskId: offer.taskId,
    moduleHash: offer.moduleHash,
    inputHash: sha256Hex(offer.stdin),
    outputHash: sha256Hex(options.stdout ?? empty),
    stderrHash: sha256Hex(empty),
    args: offer.args,
    env: offer.env,
    seed: bytesToBase64Url(offer.seed),
    inputFilesHash: filesHash(offer.files),
    outputFilesHash: filesHash([]),
    status: 'ok',
    exitCode: 0,
    startedAt: Date.now(),
    durationMs: 1,
    limits: { timeoutMs: offer.timeoutMs, memoryBytes: offer.memoryLimitBytes, fuel: offer.fuel },
    fuelUsed: 0,
    memoryPeakBytes: 0,
    price: { ...FREE_PRICES, maxTotalPrice: offer.maxTotalPrice, charge: 0, ...options.price },
    executor: identity.peerId.toString(),
    submitter,
    publicKey: bytesToBase64Url(identity.publicKey)
  }, identity)
}

/** `body` behind its unsigned-varint length: one frame of a length-prefixed stream, as written by pbStream. */
export function lengthPrefixed (body: Uint8Array): Uint8Array {
  const prefix: number[] = []
  let rest = body.byteLength
  do {
    prefix.push((rest > 127 ? 0x80 : 0) | (rest & 0x7f))
    rest = Math.floor(rest / 128)
  } while (rest > 0)
  const frame = new Uint8Array(prefix.length + body.byteLength)
  frame.set(prefix)
  frame.set(body, prefix.length)
  return frame
}

/** `frame` sent in `pieces` parts `gapMs` apart (a slow link), waiting for `drain` when the muxer's window is full. */
export async function trickle (stream: Stream, frame: Uint8Array, pieces: number, gapMs: number): Promise<void> {
  const size = Math.ceil(frame.byteLength / pieces)
  for (let at = 0; at < frame.byteLength; at += size) {
    if (at > 0) await new Promise(resolve => setTimeout(resolve, gapMs))
    if (!stream.send(frame.subarray(at, at + size))) {
      await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) })
    }
  }
}
