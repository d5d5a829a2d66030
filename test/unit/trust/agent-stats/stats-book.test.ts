import { describe, expect, it } from 'vitest'
import { AgentStatsBook, median } from '../../../../src/trust/agent-stats/index.ts'
import type { Receipt } from '../../../../src/receipts/types.ts'

const MODULE_A = 'a'.repeat(64)
const MODULE_B = 'b'.repeat(64)

function receipt (moduleHash: string, fields: Partial<Receipt> = {}): Receipt {
  return { moduleHash, status: 'ok', durationMs: 100, fuelUsed: 1000, executor: 'E1', ...fields } as Receipt
}

describe('AgentStatsBook', () => {
  it('counts runs, successes and failures per module, once per receipt', () => {
    const book = new AgentStatsBook()
    expect(book.observeReceipt(receipt(MODULE_A), 'r1', 10)).toBe(true)
    expect(book.observeReceipt(receipt(MODULE_A), 'r1', 11)).toBe(false)
    book.observeReceipt(receipt(MODULE_A, { status: 'exit', durationMs: 300, fuelUsed: 3000, executor: 'E2' }), 'r2', 12)
    book.observeReceipt(receipt(MODULE_A, { status: 'timeout', durationMs: 500, fuelUsed: null }), 'r3', 13)
    book.observeReceipt(receipt(MODULE_B), 'r4', 14)
    expect(book.statsOf(MODULE_A)).toEqual({
      moduleHash: MODULE_A,
      runs: 3,
      succeeded: 1,
      failed: 2,
      successRate: 1 / 3,
      medianDurationMs: 300,
      medianFuel: 2000,
      disputes: 0,
      executors: 2,
      lastSeenAt: 13
    })
    expect(book.statsOf(MODULE_B)?.runs).toBe(1)
    expect(book.statsOf('c'.repeat(64))).toBeUndefined()
  })

  it('counts a disagreement once per receipt, and only about receipts it counted', () => {
    const book = new AgentStatsBook()
    book.observeReceipt(receipt(MODULE_A), 'r1', 1)
    expect(book.observeDisagreement('r1')).toBe(true)
    expect(book.observeDisagreement('r1')).toBe(false)
    expect(book.observeDisagreement('unknown')).toBe(false)
    expect(book.statsOf(MODULE_A)?.disputes).toBe(1)
  })

  it('takes medians over the newest runs of the window only', () => {
    const book = new AgentStatsBook({ window: 3 })
    const durations = [1000, 1000, 1000, 10, 20, 30]
    durations.forEach((durationMs, i) => book.observeReceipt(receipt(MODULE_A, { durationMs }), `r${i}`, i))
    const stats = book.statsOf(MODULE_A)!
    expect(stats.runs).toBe(6)
    expect(stats.medianDurationMs).toBe(20)
  })

  it('forgets the module seen longest ago when full', () => {
    const book = new AgentStatsBook({ maxModules: 2 })
    book.observeReceipt(receipt(MODULE_A), 'r1', 1)
    book.observeReceipt(receipt(MODULE_B), 'r2', 2)
    book.observeReceipt(receipt(MODULE_A), 'r3', 3)
    book.observeReceipt(receipt('c'.repeat(64)), 'r4', 4)
    expect(book.size).toBe(2)
    expect(book.statsOf(MODULE_B)).toBeUndefined()
    expect(book.statsOf(MODULE_A)?.runs).toBe(2)
    expect(book.observeDisagreement('r2')).toBe(false)
  })

  it('refuses a window or capacity that is not a positive integer', () => {
    expect(() => new AgentStatsBook({ window: 0 })).toThrow(RangeError)
    expect(() => new AgentStatsBook({ maxModules: 1.5 })).toThrow(RangeError)
  })
})

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull()
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})
