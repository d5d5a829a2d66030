/**
 * What a job will cost and how long it will take, before it runs, pure. A
 * rough forecast from one sample slice, for the submitter to agree a budget:
 *
 * - fuel: slices × the sample slice's fuel — every slice is assumed as heavy
 *   as the sample.
 * - time: slices go to executors greedily, each to the one that would finish
 *   it earliest (an executor runs `slots` slices at once, each taking
 *   sampleFuel / fuelPerMs ms), which for equal slices is the shortest
 *   schedule; durationMs is when the last one ends. Compute time only: no
 *   transfer, queueing, retries or backoff.
 * - price: each slice priced as its receipt would be (receipts/pricing
 *   computeCharge: fuel, run time and peak memory, each rounded up per
 *   slice) under its executor's prices, its memory taken as its share of
 *   the input bytes — a lower bound, since a module's memory holds more than
 *   its input.
 *
 * @example
 * const { price, durationMs } = estimateJob({ slices: plan.length, sampleFuel: receipt.fuelUsed, inputBytes, executors })
 */
import { PriceOverflowError, computeCharge } from '../../receipts/pricing/index.ts'
import { MAX_JOB_SLICES } from './constants.ts'
import { InvalidJobEstimateError } from './errors.ts'

export interface EstimateExecutor {
  peerId: string
  /** Micro-units per 10^6 fuel (its Agent Card's prices.perMegaFuel). */
  pricePerMegaFuel: number
  /** Micro-units per MiB of peak memory, per run (prices.perMb); default 0. */
  pricePerMb?: number
  /** Micro-units per second of run time (prices.perSecond); default 0. */
  pricePerSecond?: number
  /** Fuel it burns per ms in one slot (measured or advertised), > 0. */
  fuelPerMs: number
  /** Slices it runs at once (free worker slots), ≥ 1. */
  slots: number
}

export interface JobEstimateInput {
  /** Slices in the job, 0 to MAX_JOB_SLICES. */
  slices: number
  /** Fuel one sample slice used. */
  sampleFuel: number
  /** Executors expected to take part; at least one when there are slices. */
  executors: readonly EstimateExecutor[]
  /** Bytes of all inputs together. */
  inputBytes: number
}

export interface JobEstimate {
  /** Total fuel, slices × sampleFuel (a float beyond 2^53). */
  fuel: number
  /** Total price in micro-units. */
  price: number
  /** When the last slice would end, ms from the start. */
  durationMs: number
  /** How the slices were spread, in the order the executors were given (those given none included). */
  perExecutor: Array<{ peerId: string, slices: number, price: number }>
}

function nonNegativeInteger (value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new InvalidJobEstimateError(`${field} must be an integer from 0 to ${max}, got ${String(value)}`)
  }
  return value
}

/**
 * Forecasts fuel, price and duration of a job (see the module comment for
 * the model). InvalidJobEstimateError for bad input or no executors for a
 * job with slices; PriceOverflowError (receipts/pricing) when the price
 * passes 2^53 − 1 micro-units; InvalidPriceScheduleError for a price out of
 * range.
 */
export function estimateJob (input: JobEstimateInput): JobEstimate {
  const slices = nonNegativeInteger(input.slices, 'slices', MAX_JOB_SLICES)
  const sampleFuel = nonNegativeInteger(input.sampleFuel, 'sampleFuel')
  const inputBytes = nonNegativeInteger(input.inputBytes, 'inputBytes')
  if (!Array.isArray(input.executors)) throw new InvalidJobEstimateError('executors must be an array')
  if (slices > 0 && input.executors.length === 0) throw new InvalidJobEstimateError('a job with slices needs at least one executor')
  const memoryBytes = slices === 0 ? 0 : Math.ceil(inputBytes / slices)
  const lanes = input.executors.map((executor, i) => {
    if (typeof executor.fuelPerMs !== 'number' || !Number.isFinite(executor.fuelPerMs) || executor.fuelPerMs <= 0) {
      throw new InvalidJobEstimateError(`executors[${i}].fuelPerMs must be a finite number > 0, got ${String(executor.fuelPerMs)}`)
    }
    const slots = nonNegativeInteger(executor.slots, `executors[${i}].slots`)
    if (slots < 1) throw new InvalidJobEstimateError(`executors[${i}].slots must be at least 1`)
    const sliceMs = sampleFuel / executor.fuelPerMs
    const schedule = { perMegaFuel: executor.pricePerMegaFuel, perSecond: executor.pricePerSecond ?? 0, perMb: executor.pricePerMb ?? 0 }
    // Priced exactly as a receipt of one slice would be (whole ms, as receipts record them).
    const slicePrice = computeCharge(schedule, { fuel: sampleFuel, durationMs: Math.ceil(sliceMs), memoryBytes })
    return { peerId: executor.peerId, slots, sliceMs, slicePrice, slices: 0 }
  })
  // Greedy earliest finish: the next slice goes where it would end soonest
  // (an executor's k-th slice ends after ⌈k / slots⌉ rounds of sliceMs).
  // For identical slices on machines of different speeds this is optimal.
  const finishIfAdded = (lane: typeof lanes[number]): number => Math.ceil((lane.slices + 1) / lane.slots) * lane.sliceMs
  for (let slice = 0; slice < slices; slice++) {
    let best = lanes[0]!
    for (const lane of lanes) if (finishIfAdded(lane) < finishIfAdded(best)) best = lane
    best.slices++
  }
  let price = 0
  let durationMs = 0
  for (const lane of lanes) {
    price += lane.slices * lane.slicePrice
    if (lane.slices > 0) durationMs = Math.max(durationMs, Math.ceil(lane.slices / lane.slots) * lane.sliceMs)
  }
  if (!Number.isSafeInteger(price)) throw new PriceOverflowError(`job price of about ${price} micro-units exceeds 2^53 − 1`)
  return {
    fuel: slices * sampleFuel,
    price,
    durationMs: Math.ceil(durationMs),
    perExecutor: lanes.map(lane => ({ peerId: lane.peerId, slices: lane.slices, price: lane.slices * lane.slicePrice }))
  }
}
