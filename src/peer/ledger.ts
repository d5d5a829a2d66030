/** The ledger (a tab's Ledger view, `ledger()` of window.zerostate and of the SDK): what the store holds, with what the services heard and weighed. */
import { paymentsOf } from '../economy/payments/index.ts'
import type { PaymentService } from '../economy/payments/index.ts'
import type { ReportService, ReputationService } from '../trust/reputation/index.ts'
import type { ZeroStateStore } from './store.ts'
import type { LedgerView } from './types.ts'

/** Reports the ledger view lists, newest first. */
const SHOWN_REPORTS = 100
/** Payments and attestations the ledger view lists, newest first. */
const SHOWN_RECORDS = 200

export interface LedgerSources {
  store: ZeroStateStore
  self: string
  payments: Pick<PaymentService, 'heardSettlements'>
  reputation: Pick<ReputationService, 'book'>
  reports: Pick<ReportService, 'reports' | 'networkScores'>
}

export async function ledgerView ({ store, self, payments, reputation, reports }: LedgerSources): Promise<LedgerView> {
  const book = reputation.book
  const [channels, paymentRecords, attestations] = await Promise.all([store.listChannels(), store.listPayments(SHOWN_RECORDS), store.listAttestations(SHOWN_RECORDS)])
  const heard = reports.reports()
  const network = reports.networkScores(id => book.trustOf(id))
  const peers = new Set([...book.peers(), ...network.scores.keys()])
  peers.delete(self)
  return {
    channels,
    // One row per receipt: a batch's receipts each with their own charge, on the batch's state.
    payments: paymentRecords.flatMap(paymentsOf),
    attestations,
    settlements: [...channels.flatMap(c => c.settlement === undefined ? [] : [c.settlement]), ...payments.heardSettlements()],
    reports: heard.sort((x, y) => y.at - x.at).slice(0, SHOWN_REPORTS),
    reputation: [...peers].map(peerId => ({
      peerId,
      score: book.score(peerId),
      network: network.scores.get(peerId),
      blacklisted: book.isBlacklisted(peerId),
      whitelisted: book.isWhitelisted(peerId),
      history: book.history(peerId)
    })).sort((x, y) => x.score - y.score || (x.peerId < y.peerId ? -1 : 1))
  }
}
