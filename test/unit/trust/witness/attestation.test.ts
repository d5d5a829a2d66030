import { describe, expect, it } from 'vitest'
import { bytesToBase64Url, sha256Hex } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../../src/crypto/index.ts'
import { receiptHash } from '../../../../src/receipts/index.ts'
import type { Receipt } from '../../../../src/receipts/index.ts'
import {
  aboutReceipt, claimedRun, differences, parseAttestation, signAttestation, verdictOf, verifyAttestation
} from '../../../../src/receipts/attestation/index.ts'
import { DEFAULT_CHECK_RATES, checkRateFor, checkRates, shouldCheck } from '../../../../src/trust/witness/index.ts'
import type { Attestation, ObservedRun } from '../../../../src/receipts/attestation/index.ts'
import { rejection } from '../../../support/rejection.ts'
import { signedExample } from '../../receipts/fixtures.ts'

const NOW = 1767225600000
const id = (p: PeerIdentity): string => p.peerId.toString()

async function witnessIdentity (n = 1): Promise<PeerIdentity> {
  return createIdentity(Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + n * 17 + 3) & 0xff))
}

async function attest (receipt: Receipt, witness: PeerIdentity, observed: ObservedRun = claimedRun(receipt)): Promise<Attestation> {
  return signAttestation({
    ...aboutReceipt(receipt), witness: id(witness), publicKey: bytesToBase64Url(witness.publicKey),
    verdict: verdictOf(receipt, observed), observed, at: NOW
  }, witness)
}

describe('attestations', () => {
  it('agree when the re-run reproduces the receipt; survive JSON and verify', async () => {
    const receipt = await signedExample()
    const witness = await witnessIdentity()
    const signed = await attest(receipt, witness)
    expect(signed.verdict).toBe('agree')
    expect(signed.receiptHash).toBe(receiptHash(receipt))
    const received = JSON.parse(JSON.stringify(signed)) as unknown
    expect(await verifyAttestation(received, { now: NOW, from: id(witness) })).toEqual(signed)
  })

  it('disagree on any deterministic field, naming which', async () => {
    const receipt = await signedExample()
    const wrongOutput = { ...claimedRun(receipt), outputHash: sha256Hex(new TextEncoder().encode('4\n')) }
    expect(differences(receipt, wrongOutput)).toEqual(['outputHash'])
    expect(verdictOf(receipt, { ...claimedRun(receipt), fuelUsed: 1 })).toBe('disagree')
    expect(verdictOf(receipt, { ...claimedRun(receipt), status: 'trap', exitCode: null })).toBe('disagree')
    const signed = await attest(receipt, await witnessIdentity(), wrongOutput)
    expect(signed.verdict).toBe('disagree')
    expect(signed.observed.outputHash).toBe(wrongOutput.outputHash)
  })

  it('reject tampering, a key that is not the witness\'s, a sender that is not the witness, and dates from the future', async () => {
    const receipt = await signedExample()
    const witness = await witnessIdentity()
    const other = await witnessIdentity(2)
    const signed = await attest(receipt, witness)
    const name = async (value: unknown, from?: string, now = NOW): Promise<string> => (await rejection(verifyAttestation(value, { now, from }))).name
    expect(await name({ ...signed, verdict: 'disagree' })).toBe('AttestationSignatureError')
    expect(await name({ ...signed, observed: { ...signed.observed, fuelUsed: 7 } })).toBe('AttestationSignatureError')
    expect(await name({ ...signed, witness: id(other) })).toBe('AttestationKeyMismatchError')
    expect(await name({ ...signed, publicKey: bytesToBase64Url(other.publicKey) })).toBe('AttestationKeyMismatchError')
    expect(await name(signed, id(other))).toBe('AttestationKeyMismatchError')
    expect(await name(signed, undefined, NOW - 60 * 60 * 1000)).toBe('AttestationNotYetValidError')
  })

  it('reject malformed values field by field, oversized ones first', async () => {
    const receipt = await signedExample()
    const signed = await attest(receipt, await witnessIdentity())
    const field = (value: unknown): string => {
      try { parseAttestation(value) } catch (err) { return (err as { field?: string, name: string }).field ?? (err as Error).name }
      throw new Error('expected a throw')
    }
    expect(field({ ...signed, version: 2 })).toBe('version')
    expect(field({ ...signed, extra: 1 })).toBe('extra')
    expect(field({ ...signed, verdict: 'maybe' })).toBe('verdict')
    expect(field({ ...signed, witness: signed.executor })).toBe('witness')
    expect(field({ ...signed, receiptHash: 'ab' })).toBe('receiptHash')
    expect(field({ ...signed, observed: { ...signed.observed, status: 'fine' } })).toBe('observed.status')
    expect(field({ ...signed, observed: { ...signed.observed, fuelUsed: -1 } })).toBe('observed.fuelUsed')
    expect(field({ ...signed, taskId: 'x'.repeat(65) })).toBe('taskId')
    expect(field({ ...signed, taskId: 'x'.repeat(5000) })).toBe('AttestationTooLargeError')
  })

  it('a witness refuses to sign as another peer', async () => {
    const receipt = await signedExample()
    const [witness, other] = [await witnessIdentity(), await witnessIdentity(2)]
    const fields = { ...aboutReceipt(receipt), witness: id(other), publicKey: bytesToBase64Url(other.publicKey), verdict: 'agree' as const, observed: claimedRun(receipt), at: NOW }
    expect((await rejection(signAttestation(fields, witness))).name).toBe('AttestationKeyMismatchError')
  })
})

describe('which receipts a witness checks', () => {
  it('checks newcomers and low scores at the higher rate', () => {
    expect(checkRateFor({ score: 0.9, observations: 50 }, DEFAULT_CHECK_RATES)).toBe(DEFAULT_CHECK_RATES.established)
    expect(checkRateFor({ score: 0.9, observations: 3 }, DEFAULT_CHECK_RATES)).toBe(DEFAULT_CHECK_RATES.newcomer)
    expect(checkRateFor({ score: 0.4, observations: 50 }, DEFAULT_CHECK_RATES)).toBe(DEFAULT_CHECK_RATES.newcomer)
  })

  it('never checks its own work, its own task or a timeout; otherwise draws against the rate', async () => {
    const receipt = await signedExample()
    const witness = id(await witnessIdentity())
    const always = { established: 1, newcomer: 1 }
    const standing = { score: 0.5, observations: 0 }
    expect(shouldCheck(receipt, receipt.executor, standing, always, () => 0)).toBe(false)
    expect(shouldCheck(receipt, receipt.submitter, standing, always, () => 0)).toBe(false)
    expect(shouldCheck({ ...receipt, status: 'timeout' }, witness, standing, always, () => 0)).toBe(false)
    expect(shouldCheck(receipt, witness, standing, always, () => 0.99)).toBe(true)
    expect(shouldCheck(receipt, witness, standing, { established: 1, newcomer: 0.5 }, () => 0.6)).toBe(false)
    expect(shouldCheck(receipt, witness, standing, { established: 1, newcomer: 0.5 }, () => 0.4)).toBe(true)
  })

  it('rates must be in [0, 1]', () => {
    expect(() => checkRates({ established: -0.1, newcomer: 0.5 })).toThrow(RangeError)
    expect(() => checkRates({ established: 0.1, newcomer: Number.NaN })).toThrow(RangeError)
    expect(checkRates({ established: 0, newcomer: 1 })).toEqual({ established: 0, newcomer: 1 })
  })
})
