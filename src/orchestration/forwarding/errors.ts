import { nameError } from '../../core/errors.ts'

/**
 * Thrown when a hop that is not the target receives a task with no hops left
 * (hops_left = 0), or whose `visited` list is already full.
 */
export class HopLimitError extends Error {
  static { nameError(this, 'HopLimitError') }
}

/** Thrown when a hop finds itself in the header's `visited` list: the task went round in a loop. */
export class RoutingLoopError extends Error {
  static { nameError(this, 'RoutingLoopError') }
}

/**
 * Thrown when a hop has no open connection to the target and no neighbour
 * (outside `visited` and the previous hop) to send the task on to, or the
 * chosen next hop cannot be reached.
 */
export class NoRouteError extends Error {
  static { nameError(this, 'NoRouteError') }
}

/** Thrown when a forward header breaks the schema or a limit (empty target, overlong PeerId, too many visited, …). */
export class InvalidForwardHeaderError extends Error {
  static { nameError(this, 'InvalidForwardHeaderError') }
}
