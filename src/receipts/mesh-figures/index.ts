/**
 * Mesh figures (format version 1, docs/metrics.md "Mesh figures"): the signed
 * counters a peer that opted in publishes every period on MESH_FIGURES_TOPIC —
 * tasks it ran by receipt status, their fuel and run times, what it earned,
 * what it submitted, failed and spent — the tally that counts them from
 * receipts, and the board on which a relay sums them. Beside receipts because
 * every figure is read from receipts; pure, no I/O.
 *
 * @example
 * const tally = new MeshFiguresTally()
 * tally.executed(receipt)
 * const figures = await signMeshFigures({ ...tally.counters(), peerId, publicKey, since, seq, at: now, periodMs }, identity)
 * // at a relay:
 * board.offer(verifyMeshFigures(JSON.parse(text), { now, from }), now)
 * board.totals(now).counters.executed.ok
 */
export {
  DEFAULT_MAX_MESH_FIGURES_PEERS, DEFAULT_MESH_FIGURES_PERIOD_MS, MAX_MESH_FIGURES_AGE_MS, MAX_MESH_FIGURES_BYTES, MAX_MESH_FIGURES_CLOCK_SKEW_MS,
  MAX_MESH_FIGURES_PERIOD_MS, MESH_DURATION_BUCKETS_MS, MESH_FIGURES_EXPIRY_PERIODS, MESH_FIGURES_FLOOD_PER_WINDOW, MESH_FIGURES_PER_WINDOW,
  MESH_FIGURES_RATE_WINDOW_MS, MESH_FIGURES_TOPIC, MESH_FIGURES_VERSION, MIN_MESH_FIGURES_PERIOD_MS
} from './constants.ts'
export {
  InvalidMeshFiguresError, InvalidMeshFiguresOptionsError, MeshFiguresKeyMismatchError, MeshFiguresNotYetValidError, MeshFiguresSenderMismatchError,
  MeshFiguresSignatureError, MeshFiguresStaleError, MeshFiguresTooLargeError
} from './errors.ts'
export { addCounters, countersGrew, countersOf, parseMeshFigures, signMeshFigures, verifyMeshFigures, zeroCounters } from './figures.ts'
export type { DurationCounts, MeshCounters, MeshFigures, MeshFiguresFields, StatusCounts, UnsignedMeshFigures, VerifyMeshFiguresOptions } from './figures.ts'
export { MeshFiguresTally, durationBucket } from './tally.ts'
export { MeshFiguresBoard } from './board.ts'
export type { MeshFiguresBoardInit, MeshFiguresVerdict, MeshTotals } from './board.ts'
