import { beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex, utf8ToBytes } from '../../../../../src/core/index.ts'
import type { PeerIdentity } from '../../../../../src/crypto/index.ts'
import {
  CONTEXT_ENTRY_KIND, ContextState, MAX_CONTEXT_PROPOSALS, contextInputBytes, nextLamport, proposalsFromOutput, signContextEntry, verifyContextEntry
} from '../../../../../src/orchestration/workflow/context/index.ts'
import type { ProposalWriter } from '../../../../../src/orchestration/workflow/context/index.ts'
import { thrown } from '../../../../support/rejection.ts'
import { CONTEXT_ID, T0, id, identity, key, wire } from './fixtures.ts'

let submitter: PeerIdentity
let writer: ProposalWriter
const receiptHash = sha256Hex(utf8ToBytes('the step\'s receipt'))
const SCHEMA = { seen: { rule: 'append' }, done: { rule: 'sum' }, status: { rule: 'lww', type: 'string', maxBytes: 32 } }
const file = (value: unknown): Uint8Array => utf8ToBytes(JSON.stringify(value))

beforeAll(async () => {
  submitter = await identity(7)
  writer = { contextId: CONTEXT_ID, writer: id(submitter), publicKey: key(submitter), lamportStart: 4, at: T0, receiptHash }
})

describe('proposalsFromOutput', () => {
  it('turns a step\'s updates into entries the submitter signs, citing the receipt, with consecutive lamports', async () => {
    const state = new ContextState({ contextId: CONTEXT_ID, schema: SCHEMA })
    const unsigned = proposalsFromOutput(file([{ key: 'seen', value: { url: 'a' } }, { key: 'done', value: 2 }, { key: 'status', value: 'crawling' }]), {
      ...writer, lamportStart: nextLamport(state.clock), schema: state.schema
    })
    expect(unsigned.map(u => [u.kind, u.key, u.lamport, u.writer, u.receiptHash])).toEqual([
      [CONTEXT_ENTRY_KIND, 'seen', 1, id(submitter), receiptHash],
      [CONTEXT_ENTRY_KIND, 'done', 2, id(submitter), receiptHash],
      [CONTEXT_ENTRY_KIND, 'status', 3, id(submitter), receiptHash]
    ])
    for (const fields of unsigned) state.apply(wire(await signContextEntry(fields, submitter)))
    expect(state.value()).toEqual({ seen: [{ url: 'a' }], done: 2, status: 'crawling' })
    expect(state.clock).toBe(3)
    const bytes = contextInputBytes(state.value())
    expect(new TextDecoder().decode(bytes)).toBe('{"done":2,"seen":[{"url":"a"}],"status":"crawling"}')
    expect(verifyContextEntry(wire(await signContextEntry(unsigned[0]!, submitter))).receiptHash).toBe(receiptHash)
  })

  it('accepts an empty list', () => {
    expect(proposalsFromOutput(file([]), writer)).toEqual([])
  })

  it.each([
    ['not JSON', utf8ToBytes('[{'), ''],
    ['not UTF-8', Uint8Array.of(0x5b, 0xff, 0x5d), ''],
    ['not an array', file({ key: 'done', value: 1 }), ''],
    ['an item that is not an object', file([1]), '[0]'],
    ['a bad key', file([{ key: 'done', value: 1 }, { key: '__proto__', value: 1 }]), '[1].key'],
    ['a missing value', file([{ key: 'done' }]), '[0].value'],
    ['an extra member', file([{ key: 'done', value: 1, lamport: 9 }]), '[0].lamport'],
    ['a value above 64 KiB', file([{ key: 'seen', value: 'x'.repeat(64 * 1024) }]), '[0].value'],
    ['too many updates', file(Array.from({ length: MAX_CONTEXT_PROPOSALS + 1 }, () => ({ key: 'done', value: 1 }))), '']
  ])('refuses %s', (_, bytes, field) => {
    expect(thrown(() => proposalsFromOutput(bytes, writer))).toEqual({ name: 'InvalidContextProposalError', field })
  })

  it('checks every update against the schema, when given, before returning any', () => {
    const schema = new ContextState({ contextId: CONTEXT_ID, schema: SCHEMA }).schema
    expect(thrown(() => proposalsFromOutput(file([{ key: 'done', value: 1 }, { key: 'nope', value: 1 }]), { ...writer, schema })).name).toBe('UndeclaredContextKeyError')
    expect(thrown(() => proposalsFromOutput(file([{ key: 'done', value: 'one' }]), { ...writer, schema })).name).toBe('ContextRuleViolationError')
    expect(thrown(() => proposalsFromOutput(file([{ key: 'status', value: 'x'.repeat(40) }]), { ...writer, schema })).name).toBe('ContextEntryLimitError')
  })

  it('refuses a bad lamportStart', () => {
    expect(() => proposalsFromOutput(file([]), { ...writer, lamportStart: 0 })).toThrow(RangeError)
    expect(() => proposalsFromOutput(file([{ key: 'done', value: 1 }, { key: 'done', value: 1 }]), { ...writer, lamportStart: Number.MAX_SAFE_INTEGER })).toThrow(RangeError)
  })
})
