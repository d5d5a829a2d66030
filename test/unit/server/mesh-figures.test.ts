/**
 * Mesh figures (receipts/mesh-figures): counted from real signed receipts,
 * signed and verified with real Ed25519 identities, their limits and schema,
 * and the board a relay sums them on — sums over peers, replays, restarts and
 * expiry that never make a counter go down, and a bounded number of peers.
 */
import { describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../src/core/index.ts'
import { createIdentity } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import {
  MAX_MESH_FIGURES_AGE_MS, MAX_MESH_FIGURES_BYTES, MESH_DURATION_BUCKETS_MS, MeshFiguresBoard, MeshFiguresTally, durationBucket, parseMeshFigures,
  signMeshFigures, verifyMeshFigures, zeroCounters
} from '../../../src/receipts/mesh-figures/index.ts'
import type { MeshCounters, MeshFigures, MeshTotals } from '../../../src/receipts/mesh-figures/index.ts'
import { signedExample, signedWith, thrown } from '../receipts/fixtures.ts'

const NOW = 1_767_225_600_000
const PERIOD = 30_000

async function figuresOf (identity: PeerIdentity, counters: MeshCounters, fields: { since?: number, seq?: number, at?: number } = {}): Promise<MeshFigures> {
  return signMeshFigures({
    ...counters,
    peerId: identity.peerId.toString(),
    publicKey: bytesToBase64Url(identity.publicKey),
    since: fields.since ?? NOW - 60_000,
    seq: fields.seq ?? 0,
    at: fields.at ?? NOW,
    periodMs: PERIOD
  }, identity)
}

/** Counters with `ok` tasks run, each of `ms`, charging `charge` each. */
function ran (ok: number, ms = 42, charge = 10): MeshCounters {
  const c = zeroCounters()
  c.executed.ok = ok
  c.durations.counts[durationBucket(ms)] = ok
  c.durations.sumMs = ok * ms
  c.fuel = ok * 1000
  c.earned = ok * charge
  return c
}

/** Every counter of `later` is at least that of `earlier`, as a Prometheus counter must be. */
function expectNotBelow (later: MeshTotals, earlier: MeshTotals): void {
  const a = later.counters
  const b = earlier.counters
  for (const status of Object.keys(b.executed) as Array<keyof typeof b.executed>) expect(a.executed[status]).toBeGreaterThanOrEqual(b.executed[status])
  for (const [i, n] of b.durations.counts.entries()) expect(a.durations.counts[i]).toBeGreaterThanOrEqual(n)
  for (const key of ['fuel', 'earned', 'submitted', 'failed', 'spent'] as const) expect(a[key]).toBeGreaterThanOrEqual(b[key])
}

describe('the tally, from signed receipts', () => {
  it('counts tasks by status, fuel, run times in the fixed buckets and charges; submitted, failed and spent', async () => {
    const tally = new MeshFiguresTally()
    const ok = await signedExample()
    const exit = await signedWith({ status: 'exit', exitCode: 3, durationMs: 1500, fuelUsed: 2_000_000 })
    const timeout = await signedWith({ status: 'timeout', exitCode: null, durationMs: 400_000, fuelUsed: null })
    for (const receipt of [ok, exit, timeout]) tally.executed(receipt)
    tally.submitted(ok)
    tally.submitted(exit)
    tally.submitted(undefined)
    const c = tally.counters()
    expect(c.executed).toMatchObject({ ok: 1, exit: 1, timeout: 1, trap: 0 })
    expect(c.fuel).toBe(48_213 + 2_000_000)
    expect(c.durations.counts[MESH_DURATION_BUCKETS_MS.indexOf(50)]).toBe(1)
    expect(c.durations.counts[MESH_DURATION_BUCKETS_MS.indexOf(2500)]).toBe(1)
    expect(c.durations.counts[MESH_DURATION_BUCKETS_MS.length]).toBe(1)
    expect(c.durations.sumMs).toBe(42 + 1500 + 400_000)
    expect(c.earned).toBe(ok.price.charge + exit.price.charge + timeout.price.charge)
    expect(c).toMatchObject({ submitted: 3, failed: 2, spent: ok.price.charge + exit.price.charge })
  })
})

describe('signed mesh figures', () => {
  it('signs and verifies, and a changed counter, another key or another sender is caught by name', async () => {
    const identity = await createIdentity()
    const other = await createIdentity()
    const tally = new MeshFiguresTally()
    tally.executed(await signedExample())
    const figures = await figuresOf(identity, tally.counters())
    const wire = JSON.parse(JSON.stringify(figures)) as unknown
    expect(verifyMeshFigures(wire, { now: NOW, from: identity.peerId.toString() })).toEqual(figures)
    expect(thrown(() => verifyMeshFigures({ ...figures, fuel: figures.fuel + 1 }, { now: NOW })).name).toBe('MeshFiguresSignatureError')
    expect(thrown(() => verifyMeshFigures({ ...figures, publicKey: bytesToBase64Url(other.publicKey) }, { now: NOW })).name).toBe('MeshFiguresKeyMismatchError')
    expect(thrown(() => verifyMeshFigures(figures, { now: NOW, from: other.peerId.toString() })).name).toBe('MeshFiguresSenderMismatchError')
    // Never signed under another's name.
    const { version: _version, signature: _signature, ...fields } = figures
    await expect(signMeshFigures({ ...fields, peerId: other.peerId.toString() }, identity)).rejects.toMatchObject({ name: 'MeshFiguresKeyMismatchError' })
  })

  it('refuses figures too old or dated ahead, too large, or not of the schema', async () => {
    const identity = await createIdentity()
    const figures = await figuresOf(identity, ran(2))
    expect(thrown(() => verifyMeshFigures(figures, { now: NOW + MAX_MESH_FIGURES_AGE_MS + 1 })).name).toBe('MeshFiguresStaleError')
    expect(thrown(() => verifyMeshFigures(figures, { now: NOW - 6 * 60_000 })).name).toBe('MeshFiguresNotYetValidError')
    expect(thrown(() => parseMeshFigures({ ...figures, padding: 'x'.repeat(MAX_MESH_FIGURES_BYTES) })).name).toBe('MeshFiguresTooLargeError')
    const extra = thrown(() => parseMeshFigures({ ...figures, note: 'hi' }))
    expect([extra.name, extra.field]).toEqual(['InvalidMeshFiguresError', 'note'])
    // The buckets must hold exactly the tasks counted by status.
    const uneven = thrown(() => parseMeshFigures({ ...figures, durations: { counts: ran(3).durations.counts, sumMs: 0 } }))
    expect([uneven.name, uneven.field]).toEqual(['InvalidMeshFiguresError', 'durations.counts'])
    const short = thrown(() => parseMeshFigures({ ...figures, durations: { counts: [2], sumMs: 84 } }))
    expect(short.field).toBe('durations.counts')
    expect(thrown(() => parseMeshFigures({ ...figures, failed: 1, submitted: 0 })).field).toBe('failed')
    expect(thrown(() => parseMeshFigures({ ...figures, periodMs: 1000 })).field).toBe('periodMs')
    expect(thrown(() => parseMeshFigures({ ...figures, at: figures.since - 1 })).field).toBe('at')
    expect(thrown(() => parseMeshFigures({ ...figures, executed: { ...figures.executed, ok: -1 } })).field).toBe('executed.ok')
    expect(thrown(() => parseMeshFigures({ ...figures, executed: { ...figures.executed, lost: 0 } })).field).toBe('executed.lost')
    expect(JSON.stringify(figures).length).toBeLessThan(MAX_MESH_FIGURES_BYTES)
  })
})

describe('the board a relay sums figures on', () => {
  it('sums the newest figures of each peer; an older seq is a replay, the same one a duplicate, shrinking counters refused', async () => {
    const [a, b] = await Promise.all([createIdentity(), createIdentity()])
    const board = new MeshFiguresBoard()
    expect(board.offer(await figuresOf(a, ran(2), { seq: 0 }), NOW)).toBe('new')
    expect(board.offer(await figuresOf(b, ran(5, 3000), { seq: 7 }), NOW)).toBe('new')
    const latestA = await figuresOf(a, ran(3), { seq: 1, at: NOW + 1000 })
    expect(board.offer(latestA, NOW + 1000)).toBe('updated')
    let totals = board.totals(NOW + 1000)
    expect(totals.counters.executed.ok).toBe(8)
    expect(totals.counters.fuel).toBe(8000)
    expect(totals.counters.earned).toBe(80)
    expect(totals.counters.durations.counts[durationBucket(42)]).toBe(3)
    expect(totals.counters.durations.counts[durationBucket(3000)]).toBe(5)
    expect(totals.counters.durations.sumMs).toBe(3 * 42 + 5 * 3000)
    expect(totals.reportingPeers).toBe(2)

    expect(board.offer(await figuresOf(a, ran(9), { seq: 0 }), NOW + 2000)).toBe('replay')
    expect(board.offer(latestA, NOW + 2000)).toBe('duplicate')
    expect(board.offer(await figuresOf(a, ran(1), { seq: 2 }), NOW + 2000)).toBe('regressed')
    // A different report under a seq already taken is not taken either.
    expect(board.offer(await figuresOf(a, ran(4), { seq: 1 }), NOW + 2000)).toBe('replay')
    totals = board.totals(NOW + 2000)
    expect(totals.counters.executed.ok).toBe(8)
  })

  it('a restart retires the old run, so the sums never go down; an older run is a replay', async () => {
    const a = await createIdentity()
    const board = new MeshFiguresBoard()
    board.offer(await figuresOf(a, ran(10), { since: NOW - 60_000, seq: 4 }), NOW)
    const before = board.totals(NOW)
    // Restarted: a new run from zero.
    expect(board.offer(await figuresOf(a, ran(1), { since: NOW + 5000, seq: 0, at: NOW + 5000 }), NOW + 5000)).toBe('restarted')
    const after = board.totals(NOW + 5000)
    expectNotBelow(after, before)
    expect(after.counters.executed.ok).toBe(11)
    expect(after.reportingPeers).toBe(1)
    expect(board.offer(await figuresOf(a, ran(12), { since: NOW - 60_000, seq: 5, at: NOW + 6000 }), NOW + 6000)).toBe('replay')
    expect(board.totals(NOW + 6000).counters.executed.ok).toBe(11)
  })

  it('a silent peer stops counting as reporting after three periods, and its figures stay in the sums after it is forgotten', async () => {
    const a = await createIdentity()
    const board = new MeshFiguresBoard()
    board.offer(await figuresOf(a, ran(4), { seq: 0 }), NOW)
    expect(board.totals(NOW + 3 * PERIOD).reportingPeers).toBe(1)
    const expired = board.totals(NOW + 3 * PERIOD + 1)
    expect([expired.reportingPeers, expired.peers, expired.counters.executed.ok]).toEqual([0, 1, 4])
    // Forgotten once no replay could be fresh: folded into the retired total.
    const forgotten = board.totals(NOW + 11 * 60_000)
    expect([forgotten.reportingPeers, forgotten.peers, forgotten.counters.executed.ok]).toEqual([0, 0, 4])
    expectNotBelow(forgotten, expired)
  })

  it('keeps at most maxPeers, folding the least recently heard into the retired total', async () => {
    const peers = await Promise.all([createIdentity(), createIdentity(), createIdentity()])
    const board = new MeshFiguresBoard({ maxPeers: 2 })
    for (const [i, peer] of peers.entries()) {
      const before = board.totals(NOW + i)
      board.offer(await figuresOf(peer, ran(i + 1)), NOW + i)
      expectNotBelow(board.totals(NOW + i), before)
    }
    const totals = board.totals(NOW + 10)
    expect([totals.peers, totals.reportingPeers, totals.counters.executed.ok]).toEqual([2, 2, 6])
    expect(() => new MeshFiguresBoard({ maxPeers: 0 })).toThrow(expect.objectContaining({ name: 'InvalidMeshFiguresOptionsError' }))
  })
})
