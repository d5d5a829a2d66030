/**
 * The economy layer, pure logic throughout: payment channels between two
 * peers (channel/), what a run costs under a price schedule (pricing/), and
 * sealed bids with a recomputable award rule (bids/, docs/bids.md). Times are
 * passed in; nothing here does I/O.
 */
export * from './channel/index.ts'
export * from '../receipts/pricing/index.ts'
export * from './bids/index.ts'
