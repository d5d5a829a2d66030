/**
 * What an executor bids for a task: the charge of the last run of the same
 * module here, when there is one, or else of a run that uses every limit the
 * request sets — a bid is the most the bidder will charge, so without a
 * record it must cover the worst case, and it is still capped by the
 * request's budget. Pure.
 */
import { computeCharge, PriceOverflowError } from '../../receipts/pricing/index.ts'
import type { PriceSchedule, ResourceUse } from '../../receipts/pricing/index.ts'
import type { BidRequest } from '../../economy/bids/index.ts'

export function quoteFor (prices: PriceSchedule, lastUse: Readonly<ResourceUse> | undefined, request: BidRequest): { price: number, expectedMs: number } | undefined {
  const { limits, maxTotalPrice } = request
  const use: ResourceUse = lastUse ?? { fuel: limits.fuel, durationMs: limits.timeoutMs, memoryBytes: limits.memoryBytes }
  let charge: number
  try {
    charge = computeCharge(prices, use)
  } catch (err) {
    if (err instanceof PriceOverflowError) return undefined
    throw err
  }
  // With a record, a charge over budget means the task will not pay its way: no bid.
  if (lastUse !== undefined && charge > maxTotalPrice) return undefined
  return { price: Math.min(charge, maxTotalPrice), expectedMs: Math.min(use.durationMs, limits.timeoutMs) }
}
