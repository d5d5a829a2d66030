import { describe, expect, it } from 'vitest'
import { REPORT_VERSION, ReportBoard } from '../../../../src/trust/reputation/index.ts'
import type { Outcome, Report } from '../../../../src/trust/reputation/index.ts'

// The board bounds what is kept; signatures were checked before anything reaches it.
const report = (reporter: string, subject: string, taskId: string, at: number, outcome: Outcome = 'success'): Report =>
  ({ version: REPORT_VERSION, reporter, publicKey: 'k', subject, outcome, taskId, at, signature: 's' })

describe('ReportBoard', () => {
  it('keeps the newest 8 per pair and one per task', () => {
    const board = new ReportBoard()
    for (let k = 0; k < 12; k++) board.add(report('r', 's', `t${k}`, k))
    board.add(report('r', 's', 't11', 99, 'wrong-result'))
    const kept = board.reports()
    expect(kept).toHaveLength(8)
    expect(kept.map(r => r.taskId)).toEqual(['t4', 't5', 't6', 't7', 't8', 't9', 't10', 't11'])
    expect(kept.at(-1)?.outcome).toBe('wrong-result')
  })

  it('a flood from one reporter cannot push out the others', () => {
    const board = new ReportBoard({ perReporter: 16, total: 64 })
    for (let i = 0; i < 40; i++) board.add(report(`honest${i % 4}`, `s${i}`, 't', i))
    for (let i = 0; i < 10_000; i++) board.add(report('flooder', `victim${i}`, 't', 1000 + i, 'wrong-result'))
    const kept = board.reports()
    expect(kept.filter(r => r.reporter === 'flooder')).toHaveLength(16)
    expect(kept.filter(r => r.reporter.startsWith('honest'))).toHaveLength(40)
    expect(board.size).toBe(56)
  })

  it('past the total, the oldest report goes', () => {
    const board = new ReportBoard({ perReporter: 8, total: 8 })
    for (let i = 0; i < 10; i++) board.add(report(`r${i}`, 's', 't', i))
    expect(board.reports().map(r => r.reporter).sort()).toEqual(['r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'])
    expect(() => new ReportBoard({ total: 3 })).toThrow(RangeError)
  })
})
