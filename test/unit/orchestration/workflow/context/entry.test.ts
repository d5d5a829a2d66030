import { beforeAll, describe, expect, it } from 'vitest'
import { canonicalize, sha256Hex, utf8ToBytes } from '../../../../../src/core/index.ts'
import type { PeerIdentity } from '../../../../../src/crypto/index.ts'
import {
  CONTEXT_ENTRY_KIND, MAX_CONTEXT_VALUE_BYTES, contextEntryHash, isAuthenticContextEntry, nextLamport, parseContextEntry, signContextEntry,
  verifyContextEntry
} from '../../../../../src/orchestration/workflow/context/index.ts'
import { rejection, thrown } from '../../../../support/rejection.ts'
import { CONTEXT_ID, T0, id, identity, key, wire, write } from './fixtures.ts'

let alice: PeerIdentity
let mallory: PeerIdentity

beforeAll(async () => {
  alice = await identity(1)
  mallory = await identity(2)
})

describe('context entries', () => {
  it('signs every field, with kind and a null receiptHash filled in, and verifies', async () => {
    const entry = await write(alice, 'findings', { line: 3, text: 'ok' }, 1)
    expect(entry).toMatchObject({
      kind: CONTEXT_ENTRY_KIND, contextId: CONTEXT_ID, key: 'findings', value: { line: 3, text: 'ok' },
      writer: id(alice), lamport: 1, at: T0 + 1, receiptHash: null, publicKey: key(alice)
    })
    expect(Object.isFrozen(entry) && Object.isFrozen(entry.value)).toBe(true)
    expect(isAuthenticContextEntry(entry)).toBe(true)
    const received = wire(entry)
    expect(isAuthenticContextEntry(received)).toBe(false)
    expect(verifyContextEntry(received)).toEqual(entry)
    expect(contextEntryHash(entry)).toBe(sha256Hex(utf8ToBytes(canonicalize(entry))))
  })

  it('keeps a receiptHash when the submitter writes for a step', async () => {
    const receiptHash = sha256Hex(utf8ToBytes('receipt'))
    const entry = await signContextEntry({ contextId: CONTEXT_ID, key: 'n', value: 1, writer: id(alice), lamport: 2, at: T0, publicKey: key(alice), receiptHash }, alice)
    expect(verifyContextEntry(wire(entry)).receiptHash).toBe(receiptHash)
  })

  it('refuses a forged entry: altered after signing', async () => {
    const entry = wire(await write(alice, 'best', 10, 1))
    expect(thrown(() => verifyContextEntry({ ...entry, value: 11 })).name).toBe('ContextEntrySignatureError')
    expect(thrown(() => verifyContextEntry({ ...entry, lamport: 2 })).name).toBe('ContextEntrySignatureError')
    expect(thrown(() => verifyContextEntry({ ...entry, contextId: 'wf-other' })).name).toBe('ContextEntrySignatureError')
  })

  it('refuses a forged entry: writer is not the key\'s PeerId', async () => {
    // Mallory signs with her own key but names Alice as the writer.
    const forged = wire(await write(mallory, 'best', 10, 1))
    expect(thrown(() => verifyContextEntry({ ...forged, writer: id(alice) })).name).toBe('ContextEntryKeyMismatchError')
    // …and cannot sign as Alice in the first place.
    const err = await rejection(signContextEntry({ contextId: CONTEXT_ID, key: 'best', value: 1, writer: id(alice), lamport: 1, at: T0, publicKey: key(mallory) }, mallory))
    expect(err.name).toBe('ContextEntryKeyMismatchError')
  })

  it.each([
    ['kind', { kind: 'zerostate/bid/1' }],
    ['contextId', { contextId: '' }],
    ['key', { key: '__proto__' }],
    ['key', { key: 'a.b' }],
    ['lamport', { lamport: 0 }],
    ['lamport', { lamport: 1.5 }],
    ['at', { at: -1 }],
    ['receiptHash', { receiptHash: 'abc' }],
    ['signature', { signature: 'AA' }],
    ['extra', { extra: 1 }]
  ])('refuses a malformed %s', async (field, change) => {
    const entry = wire(await write(alice, 'best', 10, 1))
    expect(thrown(() => parseContextEntry({ ...entry, ...change }))).toEqual({ name: 'InvalidContextEntryError', field })
  })

  it('refuses a value above 64 KiB, and an entry far above', async () => {
    const big = 'x'.repeat(MAX_CONTEXT_VALUE_BYTES)
    const err = await rejection(write(alice, 'log', big, 1))
    expect(err).toMatchObject({ name: 'InvalidContextEntryError', field: 'value' })
    const entry = wire(await write(alice, 'log', 'x', 1))
    expect(thrown(() => parseContextEntry({ ...entry, value: big + big })).name).toBe('ContextEntryTooLargeError')
  })

  it('nextLamport is one above everything seen, and at least 1', () => {
    expect(nextLamport(0)).toBe(1)
    expect(nextLamport([])).toBe(1)
    expect(nextLamport([3, 9, 4])).toBe(10)
    expect(() => nextLamport(Number.MAX_SAFE_INTEGER)).toThrow(RangeError)
    expect(() => nextLamport([-1])).toThrow(RangeError)
  })
})
