/**
 * Pure derivations for the ledger view: totals, each party's balance on a
 * channel, labels for outcomes and verdicts. No DOM, no clock, so each rule is
 * unit-testable (test/unit/ui/ledger-view.test.ts).
 */
import type { AttestationRecord, ChannelRecord, OutcomeRecord, PaymentRecord } from '../app/index.ts'
import type { Tone } from './view-format.ts'

export interface LedgerTotals {
  /** Payments this tab made for tasks it submitted. */
  paidOut: number
  /** Payments this tab received for tasks it ran. */
  earned: number
  /** Refunds this tab received back on tasks it paid for. */
  refundedToMe: number
  /** Refunds this tab gave back on tasks it was paid for. */
  refundedByMe: number
  openChannels: number
}

/** Sums the payments by direction and kind, and counts channels still open (or closing). */
export function ledgerTotals (payments: readonly PaymentRecord[], channels: readonly ChannelRecord[]): LedgerTotals {
  const totals: LedgerTotals = { paidOut: 0, earned: 0, refundedToMe: 0, refundedByMe: 0, openChannels: 0 }
  for (const p of payments) {
    if (p.kind === 'payment' || p.kind === 'share') {
      if (p.direction === 'out') totals.paidOut += p.amount
      else totals.earned += p.amount
    } else if (p.direction === 'in') {
      totals.refundedToMe += p.amount
    } else {
      totals.refundedByMe += p.amount
    }
  }
  totals.openChannels = channels.filter((c) => c.status === 'open').length
  return totals
}

export interface ChannelSides {
  /** 'payer' when this tab is side a (it deposited and pays), 'payee' when side b. */
  role: 'payer' | 'payee'
  deposit: number
  mine: number
  theirs: number
  sequence: number
}

/** This tab's and the other party's share of a channel's latest co-signed state (side a is the payer). */
export function channelSides (channel: ChannelRecord): ChannelSides {
  const s = channel.latest.state
  const a = channel.side === 'a'
  return {
    role: a ? 'payer' : 'payee',
    deposit: s.depositA + s.depositB,
    mine: a ? s.balanceA : s.balanceB,
    theirs: a ? s.balanceB : s.balanceA,
    sequence: s.sequence
  }
}

/** Only the payer may close from this view: the payee's money arrives either way, and closing is the payer's call. */
export function canClose (channel: ChannelRecord): boolean {
  return channel.status === 'open' && channel.side === 'a'
}

export const CHANNEL_STATUS_TONES: Readonly<Record<ChannelRecord['status'], Tone | 'muted'>> = {
  open: 'ok',
  closing: 'warn',
  settled: 'muted'
}

type Outcome = OutcomeRecord['outcome']

export const OUTCOME_CHIPS: Readonly<Record<Outcome, { text: string, tone: Tone, description: string }>> = {
  success: { text: '✓ success', tone: 'ok', description: 'Ran the task and returned a result that checked out.' },
  'wrong-result': { text: '✗ wrong result', tone: 'bad', description: 'Returned a result a re-run showed to be wrong.' },
  timeout: { text: '◔ timeout', tone: 'warn', description: 'Accepted the task but did not finish in time.' },
  refusal: { text: '⊘ refusal', tone: 'warn', description: 'Declined the task.' },
  'no-show': { text: '∅ no-show', tone: 'bad', description: 'Accepted the task, then never answered.' }
}

/** The last `max` outcomes, newest first, for a compact row of chips. */
export function recentOutcomes (history: readonly OutcomeRecord[], max = 8): OutcomeRecord[] {
  return history.slice(-max).reverse()
}

export const RESOLUTION_LABELS: Readonly<Record<NonNullable<AttestationRecord['resolution']>, string>> = {
  'executor-wrong': 'executor shown wrong',
  'witness-wrong': 'witness shown wrong'
}

/** Payments shown at most; the store keeps them all. */
export const MAX_PAYMENTS_SHOWN = 50
