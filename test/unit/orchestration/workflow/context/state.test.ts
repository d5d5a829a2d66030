import { beforeAll, describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../../src/core/index.ts'
import type { PeerIdentity } from '../../../../../src/crypto/index.ts'
import { CONTEXT_ENTRY_REFUSALS, ContextState, checkContextSchema, contextEntryHash, nextLamport } from '../../../../../src/orchestration/workflow/context/index.ts'
import type { ContextEntry, ContextSchema } from '../../../../../src/orchestration/workflow/context/index.ts'
import { thrown } from '../../../../support/rejection.ts'
import { CONTEXT_ID, id, identity, wire, write } from './fixtures.ts'

let alice: PeerIdentity
let bob: PeerIdentity
let carol: PeerIdentity

const SCHEMA = {
  log: { rule: 'append', maxEntries: 6 },
  tally: { rule: 'sum', maxEntries: 10 },
  lo: { rule: 'min' },
  hi: { rule: 'max' },
  last: { rule: 'lww' },
  status: { rule: 'lww', type: 'string', maxBytes: 16 }
}

const fresh = (writers?: string[]): ContextState => new ContextState({ contextId: CONTEXT_ID, schema: SCHEMA, writers })

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([identity(1), identity(2), identity(3)])
})

const others: { otherContext: ContextEntry, byAlice: ContextEntry } = {} as never
const signedForRefusals = new Map<string, ContextEntry>()
const entryOf = (name: string, value: unknown): ContextEntry => signedForRefusals.get(JSON.stringify([name, value]))!

beforeAll(async () => {
  const cases: Array<[string, unknown]> = [
    ['nope', 1], ['tally', '3'], ['tally', 2 ** 43 + 1], ['lo', null], ['hi', { v: 1 }], ['status', 1], ['status', 'x'.repeat(15)], ['log', 'x'.repeat(1023)]
  ]
  for (const [name, value] of cases) signedForRefusals.set(JSON.stringify([name, value]), await write(alice, name, value, 1))
  others.otherContext = await write(alice, 'hi', 1, 1, 'wf-another-run')
  others.byAlice = await write(alice, 'hi', 1, 1)
})

describe('ContextState: the rules', () => {
  it('starts with append [] and sum 0, the other keys absent', () => {
    expect(fresh().value()).toEqual({ log: [], tally: 0 })
    expect(fresh().clock).toBe(0)
    expect(new ContextState({ contextId: CONTEXT_ID, schema: checkContextSchema(SCHEMA) }).hash()).toBe(fresh().hash())
    expect(() => new ContextState({ contextId: 'no spaces', schema: SCHEMA })).toThrow(TypeError)
  })

  it('append keeps every entry in (lamport, writer) order, whatever the arrival order', async () => {
    const [a2, b1, a1] = await Promise.all([write(alice, 'log', 'a2', 2), write(bob, 'log', 'b1', 1), write(alice, 'log', 'a1', 1)])
    const state = fresh()
    for (const entry of [a2, b1, a1]) expect(state.apply(entry).outcome).toBe('applied')
    const first = id(alice) < id(bob) ? ['a1', 'b1'] : ['b1', 'a1']
    expect(state.value().log).toEqual([...first, 'a2'])
    expect(state.clock).toBe(2)
  })

  it('sum adds every writer\'s deltas once each', async () => {
    const state = fresh()
    for (const entry of await Promise.all([write(alice, 'tally', 3, 1), write(bob, 'tally', 4, 1), write(alice, 'tally', -2, 2)])) state.apply(entry)
    expect(state.value().tally).toBe(5)
  })

  it('min and max keep the least and the greatest', async () => {
    const state = fresh()
    for (const entry of await Promise.all([write(alice, 'lo', 5, 1), write(bob, 'lo', -1.5, 1), write(carol, 'lo', 7, 9)])) state.apply(entry)
    for (const entry of await Promise.all([write(alice, 'hi', 5, 1), write(bob, 'hi', -1.5, 1), write(carol, 'hi', 7, 9)])) state.apply(entry)
    expect(state.value()).toMatchObject({ lo: -1.5, hi: 7 })
    const tie = await write(carol, 'hi', 7, 10)
    expect(state.apply(tie).outcome).toBe('outranked') // equal value: the earlier entry keeps it
  })

  it('lww: the highest lamport wins, then the greater writer', async () => {
    const state = fresh()
    const late = await write(alice, 'last', { v: 'late' }, 5)
    state.apply(late)
    expect(state.apply(await write(bob, 'last', { v: 'early' }, 4)).outcome).toBe('outranked')
    expect(state.value().last).toEqual({ v: 'late' })
    const [greater, lesser] = id(alice) > id(bob) ? [alice, bob] : [bob, alice]
    const other = fresh()
    other.apply(await write(greater, 'status', 'greater', 7))
    expect(other.apply(await write(lesser, 'status', 'lesser', 7)).outcome).toBe('outranked')
    expect(other.value().status).toBe('greater')
  })
})

describe('ContextState: refusals', () => {
  it('refuses forged entries and applies a genuine one arriving as plain JSON', async () => {
    const state = fresh()
    const entry = wire(await write(alice, 'hi', 10, 1))
    expect(thrown(() => state.apply({ ...entry, value: 1e9 })).name).toBe('ContextEntrySignatureError')
    const mallory = wire(await write(bob, 'hi', 1e9, 1))
    expect(thrown(() => state.apply({ ...mallory, writer: id(alice) })).name).toBe('ContextEntryKeyMismatchError')
    expect(state.value().hi).toBeUndefined()
    expect(state.apply(entry).outcome).toBe('applied')
    expect(state.value().hi).toBe(10)
  })

  it.each([
    ['an undeclared key', 'nope', 1, 'UndeclaredContextKeyError'],
    ['a string into a sum', 'tally', '3', 'ContextRuleViolationError'],
    ['a sum delta above 2^43', 'tally', 2 ** 43 + 1, 'ContextRuleViolationError'],
    ['null into a min', 'lo', null, 'ContextRuleViolationError'],
    ['an object into a max', 'hi', { v: 1 }, 'ContextRuleViolationError'],
    ['a number into a string key', 'status', 1, 'ContextRuleViolationError'],
    ['a value above the key\'s maxBytes', 'status', 'x'.repeat(15), 'ContextEntryLimitError'],
    ['a value above 1 KiB (the default maxBytes)', 'log', 'x'.repeat(1023), 'ContextEntryLimitError']
  ])('refuses %s, leaving the state unchanged', async (_, name, value, error) => {
    const state = fresh()
    const before = state.hash()
    expect(thrown(() => state.apply(entryOf(name, value)))).toMatchObject({ name: error })
    expect(state.hash()).toBe(before)
    expect(CONTEXT_ENTRY_REFUSALS.map(e => e.name)).toContain(error)
  })

  it('refuses another context\'s entries, and writers not allowed', async () => {
    expect(thrown(() => fresh().apply(others.otherContext)).name).toBe('ContextIdMismatchError')
    expect(thrown(() => fresh([id(bob)]).apply(others.byAlice)).name).toBe('ContextWriterNotAllowedError')
    expect(fresh([id(alice)]).apply(others.byAlice).outcome).toBe('applied')
  })
})

describe('ContextState: idempotence and limits', () => {
  it('applying an entry twice changes nothing', async () => {
    const state = fresh()
    const entry = await write(alice, 'tally', 5, 1)
    expect(state.apply(entry).outcome).toBe('applied')
    const hash = state.hash()
    expect(state.apply(entry)).toMatchObject({ outcome: 'duplicate', equivocation: false })
    expect(state.apply(wire(entry)).outcome).toBe('duplicate')
    expect(state.value().tally).toBe(5)
    expect(state.hash()).toBe(hash)
  })

  it('counts one entry per (writer, lamport, key): of two, the lowest hash, in either order', async () => {
    const [x, y] = await Promise.all([write(alice, 'tally', 5, 1), write(alice, 'tally', 500, 1)])
    const [low, high] = contextEntryHash(x) < contextEntryHash(y) ? [x, y] : [y, x]
    const one = fresh()
    expect(one.apply(high).outcome).toBe('applied')
    expect(one.apply(low)).toMatchObject({ outcome: 'applied', equivocation: true })
    const two = fresh()
    two.apply(low)
    expect(two.apply(high)).toMatchObject({ outcome: 'outranked', equivocation: true })
    expect(one.value().tally).toBe(low.value)
    expect(two.hash()).toBe(one.hash())
  })

  it('an append key holds its first maxEntries entries: later ones are refused, earlier ones evict', async () => {
    const state = fresh()
    const entries = await Promise.all(Array.from({ length: 7 }, (_, i) => write(alice, 'log', i, i + 2)))
    for (const entry of entries.slice(0, 6)) state.apply(entry)
    expect(thrown(() => state.apply(entries[6]))).toMatchObject({ name: 'ContextEntryLimitError' })
    const early = await write(bob, 'log', 'early', 1)
    expect(state.apply(early)).toMatchObject({ outcome: 'applied', evicted: [contextEntryHash(entries[5]!)] })
    expect(state.value().log).toEqual(['early', 0, 1, 2, 3, 4])
    expect(thrown(() => state.apply(entries[5])).name).toBe('ContextEntryLimitError')
    expect(state.clock).toBe(8)
  })
})

/** The rules of docs/workflow-context.md §5, written directly over a set of entries: what every replica must hold. */
function model (entries: ContextEntry[], schema: ContextSchema): Record<string, unknown> {
  const held = entries.map(entry => ({ entry, hash: contextEntryHash(entry) }))
  const result: Record<string, unknown> = {}
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  for (const key of Object.keys(schema).sort()) {
    const { rule, maxEntries } = schema[key]!
    const mine = held.filter(h => h.entry.key === key)
    const order = (a: typeof held[0], b: typeof held[0]): number => a.entry.lamport - b.entry.lamport || cmp(a.entry.writer, b.entry.writer) || cmp(a.hash, b.hash)
    if (rule === 'append' || rule === 'sum') {
      const slots = new Map<string, typeof held[0]>()
      for (const h of mine) {
        const slot = `${h.entry.lamport}/${h.entry.writer}`
        const there = slots.get(slot)
        if (there === undefined || h.hash < there.hash) slots.set(slot, h)
      }
      const kept = [...slots.values()].sort(order).slice(0, maxEntries).map(h => h.entry.value)
      result[key] = rule === 'append' ? kept : kept.reduce((t: number, v) => t + (v as number), 0)
    } else if (mine.length > 0) {
      const sorted = [...mine].sort((a, b) => {
        if (rule === 'lww') return -(a.entry.lamport - b.entry.lamport || cmp(a.entry.writer, b.entry.writer)) || cmp(a.hash, b.hash)
        const d = (a.entry.value as number) - (b.entry.value as number)
        return (rule === 'min' ? d : -d) || order(a, b)
      })
      result[key] = sorted[0]!.entry.value
    }
  }
  return result
}

function shuffled<T> (items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

const seen = { equivocations: 0, evictions: 0, refusedBeyondLimit: 0 }

function applyAll (state: ContextState, entries: readonly ContextEntry[]): ContextState {
  for (const entry of entries) {
    try {
      const result = state.apply(entry)
      if (result.equivocation) seen.equivocations++
      seen.evictions += result.evicted.length
    } catch (err) {
      if ((err as Error).name !== 'ContextEntryLimitError') throw err
      seen.refusedBeyondLimit++
    }
  }
  return state
}

describe('ContextState: convergence', () => {
  it('any subset, in any order, applied or merged, gives the model\'s value and one hash', async () => {
    const random = mulberry32(0x14c0_7e47)
    const writers = [alice, bob, carol]
    const keys = ['log', 'tally', 'lo', 'hi', 'last']
    // Lamports 1–6 over 3 writers and 5 keys: slot collisions (equivocations) and evictions happen often.
    const pool: ContextEntry[] = await Promise.all(Array.from({ length: 72 }, () => {
      const name = keys[Math.floor(random() * keys.length)]!
      const lamport = 1 + Math.floor(random() * 6)
      // Tenths: float addition of these is not associative, so the sum's order matters.
      const number = Math.floor(random() * 2000) / 10 - 100
      const value = name === 'log' || name === 'last' ? { n: number } : number
      return write(writers[Math.floor(random() * writers.length)]!, name, value, lamport)
    }))
    const schema = checkContextSchema(SCHEMA)
    for (let trial = 0; trial < 60; trial++) {
      const subset = pool.filter(() => random() < 0.7)
      const expected = model(subset, schema)
      const a = applyAll(fresh(), shuffled(subset, random))
      // The same set with duplicates, in another order.
      const b = applyAll(fresh(), shuffled([...subset, ...subset.slice(0, 10)], random))
      expect(a.value()).toEqual(expected)
      expect(b.value()).toEqual(expected)
      expect(b.hash()).toBe(a.hash())
      // Two replicas with overlapping halves, merged either way round.
      const left = subset.filter(() => random() < 0.6)
      const right = subset.filter(entry => !left.includes(entry) || random() < 0.3)
      const l = applyAll(fresh(), shuffled(left, random))
      const r = applyAll(fresh(), shuffled(right, random))
      const lr = applyAll(fresh(), left)
      lr.merge(r)
      r.merge(l)
      expect(lr.hash()).toBe(a.hash())
      expect(r.hash()).toBe(a.hash())
      expect(r.value()).toEqual(expected)
      expect(nextLamport(r.clock)).toBeGreaterThan(Math.max(0, ...a.entries().map(e => e.lamport)))
    }
    // The pool did exercise the hard cases.
    expect(seen.equivocations).toBeGreaterThan(0)
    expect(seen.evictions).toBeGreaterThan(0)
    expect(seen.refusedBeyondLimit).toBeGreaterThan(0)
  })
})
