import { nameError } from '../../../core/errors.ts'

/** Thrown when a gossiped message is not a JSON array of 1 to MAX_CONTEXT_SYNC_ENTRIES context entries. */
export class InvalidContextSyncMessageError extends Error {
  static { nameError(this, 'InvalidContextSyncMessageError') }
}

/**
 * Thrown when a gossiped entry's writer is not the peer that published the
 * message: a writer publishes its own entries, so an entry relayed under
 * another identity is refused (gossipsub keeps the original `from` when it
 * forwards, so honest forwarding never trips this).
 */
export class ContextSyncSenderMismatchError extends Error {
  static { nameError(this, 'ContextSyncSenderMismatchError') }
}
