import { describe, expect, it } from 'vitest'
import { OUTCOMES } from '../../../src/trust/reputation/index.ts'
import { OUTCOME_CHIPS, canClose, channelSides, ledgerTotals, recentOutcomes } from '../../../src/ui/ledger-view.ts'
import { demoLedger } from './fake-app.ts'

const NOW = 1_700_000_000_000

describe('ledgerTotals', () => {
  it('sums payments by direction and kind and counts open channels', () => {
    const ledger = demoLedger(NOW)
    expect(ledgerTotals(ledger.payments, ledger.channels)).toEqual({
      paidOut: 4_000, earned: 7_000, refundedToMe: 1_500, refundedByMe: 0, openChannels: 1
    })
  })

  it('is all zero for an empty ledger', () => {
    expect(ledgerTotals([], [])).toEqual({ paidOut: 0, earned: 0, refundedToMe: 0, refundedByMe: 0, openChannels: 0 })
  })

  it('counts a refund this tab gave as refunded by it', () => {
    const [refund] = demoLedger(NOW).payments
    expect(ledgerTotals([{ ...refund!, direction: 'out' }], []).refundedByMe).toBe(1_500)
  })
})

describe('channelSides', () => {
  it('reads side a as the payer', () => {
    const [toAlice] = demoLedger(NOW).channels
    expect(channelSides(toAlice!)).toEqual({ role: 'payer', deposit: 1_000_000, mine: 997_500, theirs: 2_500, sequence: 2 })
  })

  it('reads side b as the payee', () => {
    const [, fromBob] = demoLedger(NOW).channels
    expect(channelSides(fromBob!)).toEqual({ role: 'payee', deposit: 500_000, mine: 7_000, theirs: 493_000, sequence: 3 })
  })
})

describe('canClose', () => {
  it('only for an open channel this tab pays into', () => {
    const [toAlice, fromBob] = demoLedger(NOW).channels
    expect(canClose(toAlice!)).toBe(true)
    expect(canClose({ ...toAlice!, status: 'closing' })).toBe(false)
    expect(canClose({ ...fromBob!, status: 'open' })).toBe(false)
  })
})

describe('outcomes', () => {
  it('has a chip for every outcome', () => {
    expect(Object.keys(OUTCOME_CHIPS).sort()).toEqual([...OUTCOMES].sort())
  })

  it('shows the last ones, newest first', () => {
    const history = [1, 2, 3, 4].map((at) => ({ outcome: 'success' as const, at }))
    expect(recentOutcomes(history, 3).map((o) => o.at)).toEqual([4, 3, 2])
  })
})
