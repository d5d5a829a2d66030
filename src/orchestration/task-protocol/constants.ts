/** Limits of the executor's side of /zerostate/task/1.0.0 that are not wire limits (those are in network/constants.ts). */

/**
 * How many modules an executor remembers the resource use of (usage-memory.ts).
 * Each entry is a hash and three numbers, so this bounds memory at a few tens
 * of KiB however many distinct modules peers send.
 */
export const USAGE_MEMORY_ENTRIES = 256
