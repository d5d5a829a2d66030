import { describe, expect, it } from 'vitest'
import { bytesToBase64Url } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { ReputationBook, aggregateReports, parseReport, signReport, verifyReport } from '../../../../src/trust/reputation/index.ts'
import type { Outcome, Report } from '../../../../src/trust/reputation/index.ts'
import { rejection } from '../../../support/rejection.ts'

const NOW = 1767225600000

async function identity (n: number): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n * 13 + 1) & 0xff))
}

const id = (p: PeerIdentity): string => p.peerId.toString()

async function report (by: PeerIdentity, subject: PeerIdentity, outcome: Outcome, taskId = 'task_1', at = NOW): Promise<Report> {
  return signReport({ reporter: id(by), publicKey: bytesToBase64Url(by.publicKey), subject: id(subject), outcome, taskId, at }, by)
}

function nameOf (fn: () => unknown): string {
  try { fn() } catch (err) { return (err as Error).name }
  throw new Error('expected a throw')
}

describe('signed reports', () => {
  it('sign, survive JSON, verify; tampering is caught', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const signed = await report(a, b, 'success')
    const received = parseReport(JSON.parse(JSON.stringify(signed)))
    expect(await verifyReport(received, { now: NOW, from: id(a) })).toEqual(signed)
    expect((await rejection(verifyReport({ ...received, outcome: 'wrong-result' }, { now: NOW }))).name).toBe('ReportSignatureError')
    expect((await rejection(verifyReport({ ...received, at: NOW - 1 }, { now: NOW }))).name).toBe('ReportSignatureError')
    expect((await rejection(verifyReport({ ...received, reporter: id(await identity(3)) }, { now: NOW }))).name).toBe('ReportKeyMismatchError')
    expect((await rejection(verifyReport(received, { now: NOW, from: id(b) }))).name).toBe('ReportKeyMismatchError')
    expect((await rejection(verifyReport(received, { now: NOW - 60 * 60 * 1000 }))).name).toBe('ReportNotYetValidError')
  })

  it('refuses to sign as someone else or about oneself', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const fields = { reporter: id(a), publicKey: bytesToBase64Url(a.publicKey), subject: id(b), outcome: 'success' as const, taskId: 't', at: NOW }
    expect((await rejection(signReport(fields, b))).name).toBe('ReportKeyMismatchError')
    const err = await rejection(signReport({ ...fields, subject: id(a) }, a))
    expect(err.name).toBe('InvalidReportError')
    expect(err.field).toBe('subject')
  })

  it('parses strictly, naming the field', async () => {
    const [a, b] = [await identity(1), await identity(2)]
    const signed = await report(a, b, 'timeout')
    const field = (value: unknown): unknown => { try { parseReport(value) } catch (err) { return (err as { field?: string }).field ?? (err as Error).name } return 'accepted' }
    expect(field({ ...signed, outcome: 'great' })).toBe('outcome')
    expect(field({ ...signed, taskId: 'no spaces' })).toBe('taskId')
    expect(field({ ...signed, at: 1.5 })).toBe('at')
    expect(field({ ...signed, extra: 1 })).toBe('extra')
    expect(field({ ...signed, version: 2 })).toBe('version')
    expect(field({ ...signed, signature: 'AAAA' })).toBe('signature')
    expect(field({ ...signed, taskId: 'x'.repeat(2000) })).toBe('ReportTooLargeError')
  })
})

describe('aggregateReports', () => {
  it('a flood of reports from unknown peers changes nothing', async () => {
    const honest = await identity(1)
    const book = new ReputationBook({ now: () => NOW })
    for (let i = 0; i < 5; i++) book.record(id(honest), 'success')
    const flood: Report[] = []
    for (let n = 0; n < 20; n++) {
      const stranger = await identity(100 + n)
      for (let k = 0; k < 10; k++) flood.push(await report(stranger, honest, 'wrong-result', `t${k}`))
    }
    const result = aggregateReports(flood, { trustOf: p => book.trustOf(p) })
    expect(result.dropped.untrusted).toBe(200)
    expect(result.accepted).toBe(0)
    expect(result.scores.size).toBe(0)
    expect(result.selfWeight).toBe(1)
  })

  it('counts at most maxReportsPerPair newest reports, one per task, and drops our own', async () => {
    const [me, a, b] = [await identity(0), await identity(1), await identity(2)]
    const book = new ReputationBook({ now: () => NOW })
    book.record(id(a), 'success')
    const reports = [await report(me, b, 'success')]
    for (let k = 0; k < 12; k++) reports.push(await report(a, b, 'wrong-result', `t${k}`, NOW - k))
    reports.push(await report(a, b, 'wrong-result', 't0', NOW - 100))
    const result = aggregateReports(reports, { trustOf: p => book.trustOf(p), self: id(me), maxReportsPerPair: 8 })
    expect(result.dropped).toEqual({ untrusted: 0, self: 1, excess: 5 })
    expect(result.accepted).toBe(8)
  })

  it('a clique of 10 liars cannot sink an honest peer nor lift itself above what it did', async () => {
    const honest = await identity(1)
    const witnesses = [await identity(2), await identity(3)]
    const clique: PeerIdentity[] = []
    for (let n = 0; n < 10; n++) clique.push(await identity(10 + n))
    const book = new ReputationBook({ now: () => NOW })
    // What we saw ourselves: the honest peer and the witnesses work well; the clique is mediocre.
    for (const p of [honest, ...witnesses]) for (let i = 0; i < 6; i++) book.record(id(p), 'success')
    for (const p of clique) { book.record(id(p), 'success'); book.record(id(p), 'timeout'); book.record(id(p), 'refusal') }
    const observed = Math.max(...clique.map(p => book.score(id(p))))
    expect(observed).toBeGreaterThan(0.3) // known, not blacklisted: their reports count

    const reports: Report[] = []
    for (const liar of clique) {
      for (let k = 0; k < 8; k++) reports.push(await report(liar, honest, 'wrong-result', `h${k}`))
      for (const friend of clique) {
        if (friend !== liar) for (let k = 0; k < 8; k++) reports.push(await report(liar, friend, 'success', `c${k}`))
      }
    }
    for (const w of witnesses) reports.push(await report(w, honest, 'success', 'w1'))
    const result = aggregateReports(reports, { trustOf: p => book.trustOf(p) })

    expect(result.selfWeight).toBeGreaterThanOrEqual(0.5)
    expect(result.scores.get(id(honest))).toBeGreaterThan(0.3)
    for (const p of clique) {
      expect(result.scores.get(id(p))).toBeLessThanOrEqual(observed + 1e-12)
      expect(result.scores.get(id(p))).toBeLessThanOrEqual(book.score(id(p)) + 1e-12) // all alike here
    }
    // Even with no witnesses at all, slander alone cannot push the honest peer under the threshold.
    const slanderOnly = aggregateReports(reports.filter(r => !witnesses.some(w => id(w) === r.reporter)), { trustOf: p => book.trustOf(p) })
    expect(slanderOnly.scores.get(id(honest))).toBeGreaterThan(0.3)
  })

  it('weighs a reporter by its trust above neutral: one seen only at or below neutral moves nothing', async () => {
    const [subject, good, caughtOut] = [await identity(1), await identity(2), await identity(3)]
    const book = new ReputationBook({ now: () => NOW })
    for (let i = 0; i < 6; i++) book.record(id(good), 'success')
    book.record(id(caughtOut), 'success')
    book.record(id(caughtOut), 'no-show')
    expect(book.score(id(caughtOut))).toBeLessThanOrEqual(0.5)
    const smear = []
    for (let k = 0; k < 8; k++) smear.push(await report(caughtOut, subject, 'wrong-result', `s${k}`))
    expect(aggregateReports(smear, { trustOf: p => book.trustOf(p) }).scores.get(id(subject))).toBeCloseTo(0.5, 12)
    const vouched = aggregateReports([...smear, await report(good, subject, 'success', 'g1')], { trustOf: p => book.trustOf(p) })
    expect(vouched.weights.get(id(caughtOut))).toBe(0)
    expect(vouched.scores.get(id(subject))).toBeGreaterThan(0.5)
  })

  it('rejects bad options by name', () => {
    const trustOf = (): undefined => undefined
    expect(nameOf(() => aggregateReports([], { trustOf, damping: 0 }))).toBe('InvalidAggregationError')
    expect(nameOf(() => aggregateReports([], { trustOf, iterations: 0 }))).toBe('InvalidAggregationError')
    expect(nameOf(() => aggregateReports([], { trustOf: 1 as unknown as typeof trustOf }))).toBe('InvalidAggregationError')
  })
})
