/** Two fixed parties (deterministic Ed25519 seeds), a receipt reference and signing shortcuts for channel tests. */
import { sha256Hex, utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { cosign, openChannel, signState } from '../../../../src/economy/channel/index.ts'
import type { ChannelState, ReceiptRef, SignedChannelState } from '../../../../src/economy/channel/index.ts'

export const T0 = 1_700_000_000_000

export interface Parties { alice: PeerIdentity, bob: PeerIdentity, mallory: PeerIdentity, a: string, b: string }

export async function parties (): Promise<Parties> {
  const alice = await createIdentity(new Uint8Array(32).fill(1))
  const bob = await createIdentity(new Uint8Array(32).fill(2))
  const mallory = await createIdentity(new Uint8Array(32).fill(3))
  return { alice, bob, mallory, a: alice.peerId.toString(), b: bob.peerId.toString() }
}

export function ref (n: number): ReceiptRef {
  return { taskId: `task_${n}`, receiptHash: sha256Hex(utf8ToBytes(`receipt ${n}`)) }
}

/** Signed by a, then cosigned by b. */
export async function both (state: ChannelState, p: Parties): Promise<SignedChannelState> {
  return cosign(await signState(state, p.alice), p.bob)
}

export async function opened (p: Parties, depositA = 1_000, depositB = 500): Promise<SignedChannelState> {
  return both(openChannel({ channelId: 'chan_1', a: p.a, b: p.b, depositA, depositB, at: T0 }), p)
}

/** The error `fn` throws; fails the test if it returns. */
export function thrown (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}
