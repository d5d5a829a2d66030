/**
 * Fixed values of a run's context replication over gossipsub
 * (docs/workflow-context.md §9). The topic names the run, so a peer hears
 * only the runs it follows.
 */
import { MAX_CONTEXT_ENTRY_BYTES } from '../context/index.ts'

/** Topic of run `runId`'s context entries: this prefix and the run id (1–128 of [A-Za-z0-9_-]). */
export const CONTEXT_SYNC_TOPIC_PREFIX = '/zerostate/workflow-context/1/'

/**
 * Largest message: a JSON array of entries, packed by the publisher up to
 * this size (one entry is at most MAX_CONTEXT_ENTRY_BYTES, so one always
 * fits), well under gossipsub's 1 MiB default.
 */
export const MAX_CONTEXT_SYNC_MESSAGE_BYTES = 4 * MAX_CONTEXT_ENTRY_BYTES

/** Most entries in one message. */
export const MAX_CONTEXT_SYNC_ENTRIES = 256

/**
 * Messages taken from one identity per run topic: a 1000-item fan-out's
 * steps publish one message each as they finish, and a newcomer is sent the
 * whole context at once, so the burst is generous; a flood past it is
 * rejected before any signature is checked.
 */
export const CONTEXT_SYNC_RATE = { burst: 256, perSecond: 64 }

/** Runs whose topics one peer keeps (published or watched) at once; the oldest is left beyond it. */
export const MAX_SYNCED_RUNS = 32
