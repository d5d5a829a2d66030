/**
 * Redundant execution: the same task run by several executors, the result
 * taken by majority. A deterministic sandbox means honest executors agree
 * exactly on every field a re-run reproduces (OBSERVED_FIELDS), so the
 * majority is taken over those; a strict majority of independent executors
 * contradicting one is proof enough against it, as a witness's re-run is.
 */
import { canonicalize } from '../../core/index.ts'
import type { Receipt } from '../../receipts/types.ts'
import { claimedRun } from '../../receipts/attestation/index.ts'

export interface MajorityVerdict {
  /** The receipts that state the majority's result, in the order given. */
  agreed: Receipt[]
  /** The receipts that state anything else. */
  dissenting: Receipt[]
}

/**
 * The strict majority of `receipts` (more than half of `of`, the number of
 * executors asked, so an executor that never answered counts against a
 * majority rather than for it); undefined when no result has one.
 */
export function majorityOf (receipts: readonly Receipt[], of: number = receipts.length): MajorityVerdict | undefined {
  if (!Number.isSafeInteger(of) || of < receipts.length || of < 1) throw new RangeError(`of must be an integer ≥ the ${receipts.length} receipts given`)
  const groups = new Map<string, Receipt[]>()
  for (const receipt of receipts) {
    const key = canonicalize(claimedRun(receipt))
    groups.set(key, [...(groups.get(key) ?? []), receipt])
  }
  for (const [key, agreed] of groups) {
    if (agreed.length * 2 > of) {
      return { agreed, dissenting: receipts.filter(r => canonicalize(claimedRun(r)) !== key) }
    }
  }
  return undefined
}
