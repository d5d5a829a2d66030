/**
 * Agents' records as the mesh saw them: runs, success rate, median time and
 * fuel, disputes, from verified receipts and witnesses' attestations. Pure.
 */
export { AgentStatsBook, DEFAULT_MAX_STATS_MODULES, DEFAULT_STATS_WINDOW, median } from './stats-book.ts'
export type { AgentRunStats, AgentStatsBookInit } from './stats-book.ts'
