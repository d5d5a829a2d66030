/** The ledger as the views show it: built in the peer layer (src/peer/ledger.ts), shared with the Node SDK. */
export { ledgerView, type LedgerSources } from '../peer/ledger.ts'
