/**
 * The economy layer: payment channels between two peers (channel/, a pure
 * state machine), paying for tasks over them on the mesh (payments/), and
 * sealed bids with a recomputable award rule (bids/, docs/bids.md), and the
 * Shapley split of a workflow's payment among its contributors (shapley/,
 * docs/shapley-split.md), and guilds that bid for whole workflows (guild/,
 * docs/guild.md). What a run costs is in receipts/pricing, below both
 * economy and trust.
 */
export * from './channel/index.ts'
export * from './bids/index.ts'
export * from './shapley/index.ts'
export * from './guild/index.ts'
