import { bytesToBase64Url } from '../../../../../src/core/index.ts'
import { createIdentity } from '../../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../../src/crypto/index.ts'
import { signContextEntry } from '../../../../../src/orchestration/workflow/context/index.ts'
import type { ContextEntry } from '../../../../../src/orchestration/workflow/context/index.ts'

export const CONTEXT_ID = 'wf-0b7c4c1e-6a0f-4a43-9d55-3d3c8f2b1a77'
export const T0 = 1_767_225_600_000

export async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + n * 17 + 3) & 0xff))
}

export const id = (p: PeerIdentity): string => p.peerId.toString()
export const key = (p: PeerIdentity): string => bytesToBase64Url(p.publicKey)

/** An entry `writer` signs for CONTEXT_ID. */
export async function write (writer: PeerIdentity, name: string, value: unknown, lamport: number, contextId = CONTEXT_ID): Promise<ContextEntry> {
  return signContextEntry({ contextId, key: name, value, writer: id(writer), lamport, at: T0 + lamport, publicKey: key(writer) }, writer)
}

/** A plain copy, as one arriving over the wire: not known to be authentic, so apply verifies it. */
export function wire<T> (value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
