/**
 * When a payee owes a refund: witnesses other than the submitter re-ran the
 * task, signed that the receipt is wrong, and agree with each other on what
 * the right result is. The submitter's own attestation may ride along but
 * never suffices alone: a submitter could always claim it was cheated.
 */
import { canonicalize } from '../../core/index.ts'
import { receiptHash } from '../../receipts/index.ts'
import type { Receipt } from '../../receipts/index.ts'
import { verifyAttestation } from '../../receipts/attestation/index.ts'
import { RefundRefusedError } from './errors.ts'

/** Throws RefundRefusedError (or the attestation's own error) unless `attestations` make a refund of `receipt` to `submitter` due at `now`. */
export async function checkRefundEvidence (receipt: Receipt, attestations: readonly unknown[], submitter: string, now: number): Promise<void> {
  const hash = receiptHash(receipt)
  const witnesses = new Set<string>()
  let observed: string | undefined
  for (const value of attestations) {
    const attestation = await verifyAttestation(value, { now })
    if (attestation.receiptHash !== hash || attestation.verdict !== 'disagree') {
      throw new RefundRefusedError(`attestation by ${attestation.witness} does not dispute receipt ${receipt.taskId}`)
    }
    const run = canonicalize(attestation.observed)
    if (observed !== undefined && observed !== run) throw new RefundRefusedError('the witnesses disagree with each other')
    observed = run
    witnesses.add(attestation.witness)
  }
  witnesses.delete(submitter)
  if (witnesses.size === 0) throw new RefundRefusedError('a refund needs the disagreement of a witness other than the submitter')
}
