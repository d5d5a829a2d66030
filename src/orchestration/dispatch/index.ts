/**
 * Getting a prepared task done: choosing its executor — by the Agent Cards
 * and the router, or by a sealed-bid auction among the best candidates — or
 * several for a redundant task whose majority decides; sending the task
 * straight to each, or hop by hop through a neighbour when the connection
 * budget is spent (orchestration/forwarding), while tasks beyond what an
 * executor takes wait in this tab's own queue (executor-queue.ts); learning
 * from how it went; and settling what is owed (accountability.ts). Jobs and
 * workflows build on TaskDispatch.
 */
export { TaskDispatch, busyBackoffMs } from './task-dispatch.ts'
export type { AuctionSettings, DispatchOptions, DispatchProgress, DispatchRequest, ExecutorChoice, TaskDispatchComponents, TaskDispatchInit } from './task-dispatch.ts'
export { ExecutorQueue } from './executor-queue.ts'
export type { AcquireOptions, ExecutorQueueInit } from './executor-queue.ts'
export { TaskAccountability } from './accountability.ts'
export type { TaskAccountabilityComponents, TaskAccountabilityInit } from './accountability.ts'
export { outcomeOf } from './outcome.ts'
export * from './constants.ts'
export { TaskVerification } from './verification.ts'
export type { CheckKeeps, TaskVerificationComponents, TaskVerificationInit, VerifiedOutcome, VerifyOptions } from './verification.ts'
export { runChecked } from './checked-run.ts'
export type { CheckedRun, CheckedRunComponents, CheckedRunOptions } from './checked-run.ts'
