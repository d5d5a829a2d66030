/**
 * Accepting a new co-signed state over the current one. Sequences must rise
 * by exactly one per update, so each party can tell a replay (same
 * sequence), an old state (lower) and a skipped one (higher by more than 1)
 * apart; the looser "any higher sequence" rule belongs to closing only
 * (close.ts, `challenge`).
 */
import { ChannelFinalityError, ChannelMismatchError, ReplayedStateError, SequenceGapError, StaleStateError } from './errors.ts'
import { verifyState } from './signatures.ts'
import type { SignedChannelState } from './signatures.ts'
import { checkOpening } from './state.ts'
import type { ChannelState } from './state.ts'

/** Throws ChannelMismatchError unless both states are of one channel: same id, parties and deposits. */
export function assertSameChannel (current: ChannelState, next: ChannelState): void {
  for (const field of ['channelId', 'a', 'b', 'depositA', 'depositB'] as const) {
    if (current[field] !== next[field]) {
      throw new ChannelMismatchError(`state ${next.sequence} differs from channel ${current.channelId} in ${field}: ${String(next[field])} ≠ ${String(current[field])}`)
    }
  }
}

/** Throws Replayed/Stale/SequenceGap errors unless `next` is exactly one sequence after `current`. */
export function assertNextSequence (current: ChannelState, next: ChannelState): void {
  if (next.sequence === current.sequence) throw new ReplayedStateError(`state ${next.sequence} of channel ${current.channelId} was already applied`)
  if (next.sequence < current.sequence) throw new StaleStateError(`state ${next.sequence} of channel ${current.channelId} is older than current ${current.sequence}`)
  if (next.sequence !== current.sequence + 1) {
    throw new SequenceGapError(`state ${next.sequence} of channel ${current.channelId} skips from ${current.sequence}; expected ${current.sequence + 1}`)
  }
}

/**
 * Returns `next` if it may replace `current`: fully co-signed and valid
 * (verifyState), same channel, sequence exactly current + 1, and `current`
 * not final. `current` is trusted (it was accepted before).
 */
export function applyState (current: SignedChannelState, next: SignedChannelState): SignedChannelState {
  verifyState(next)
  assertSameChannel(current.state, next.state)
  assertNextSequence(current.state, next.state)
  if (current.state.final) throw new ChannelFinalityError(`channel ${current.state.channelId} closed at final state ${current.state.sequence}`)
  return next
}

/** Accepts a co-signed opening state: both signatures valid, sequence 0, balances equal to deposits. */
export function verifyOpening (opening: SignedChannelState): SignedChannelState {
  verifyState(opening)
  checkOpening(opening.state)
  return opening
}
