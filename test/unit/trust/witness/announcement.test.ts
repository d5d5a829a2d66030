import { describe, expect, it } from 'vitest'
import { utf8ToBytes } from '../../../../src/core/index.ts'
import { createIdentity } from '../../../../src/crypto/index.ts'
import { signReceipt } from '../../../../src/receipts/index.ts'
import { MAX_ANNOUNCED_INPUT_BYTES, announceable, encodeAnnouncement, readAnnouncement } from '../../../../src/trust/witness/index.ts'
import type { TaskMaterial } from '../../../../src/trust/witness/index.ts'
import { rejection } from '../../../support/rejection.ts'
import { EXAMPLE_INPUT_FILES, exampleUnsigned, fixedIdentities } from '../../receipts/fixtures.ts'

async function material (): Promise<TaskMaterial> {
  const { executor, submitter } = await fixedIdentities()
  const receipt = await signReceipt(exampleUnsigned(executor, submitter), executor)
  return {
    receipt,
    stdin: utf8ToBytes('a\nb\nc\n'),
    files: EXAMPLE_INPUT_FILES.map(([path, bytes]) => [path, new Uint8Array(bytes)])
  }
}

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

describe('receipt announcements', () => {
  it('carry the receipt and the task input through JSON, checked against the receipt', async () => {
    const announced = await material()
    const read = await readAnnouncement(roundTrip(encodeAnnouncement(announced)), announced.receipt.submitter)
    expect(read.receipt).toEqual(announced.receipt)
    expect(read.stdin).toEqual(announced.stdin)
    expect(read.files).toEqual(announced.files)
  })

  it('carry the submitter\'s traceparent when the task was traced, and refuse a malformed one by field', async () => {
    const announced = { ...await material(), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
    const read = await readAnnouncement(roundTrip(encodeAnnouncement(announced)), announced.receipt.submitter)
    expect(read.traceparent).toBe(announced.traceparent)
    expect(Object.hasOwn(await readAnnouncement(roundTrip(encodeAnnouncement(await material())), announced.receipt.submitter), 'traceparent')).toBe(false)
    for (const bad of ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'not a traceparent', 7]) {
      const err = await rejection(readAnnouncement({ ...(roundTrip(encodeAnnouncement(announced)) as object), traceparent: bad }, announced.receipt.submitter))
      expect({ name: err.name, field: (err as { field?: string }).field }).toEqual({ name: 'InvalidAnnouncementError', field: 'traceparent' })
    }
  })

  it('are refused from anyone but the receipt\'s submitter', async () => {
    const announced = await material()
    const stranger = (await createIdentity()).peerId.toString()
    expect((await rejection(readAnnouncement(roundTrip(encodeAnnouncement(announced)), stranger))).name).toBe('ReceiptMismatchError')
  })

  it('are refused when the input is not what the executor signed for, or the receipt is forged', async () => {
    const announced = await material()
    const from = announced.receipt.submitter
    const otherStdin = { ...announced, stdin: utf8ToBytes('a\nb\n') }
    expect((await rejection(readAnnouncement(roundTrip(encodeAnnouncement(otherStdin)), from))).name).toBe('TaskMaterialMismatchError')
    const otherFiles = { ...announced, files: announced.files.slice(1) }
    expect((await rejection(readAnnouncement(roundTrip(encodeAnnouncement(otherFiles)), from))).name).toBe('TaskMaterialMismatchError')
    const forged = { ...announced, receipt: { ...announced.receipt, outputHash: '0'.repeat(64) } }
    expect((await rejection(readAnnouncement(roundTrip(encodeAnnouncement(forged)), from))).name).toBe('ReceiptSignatureError')
  })

  it('are refused when malformed', async () => {
    const encoded = encodeAnnouncement(await material()) as Record<string, unknown>
    const from = (await material()).receipt.submitter
    const field = async (value: unknown): Promise<string | undefined> => ((await rejection(readAnnouncement(value, from))) as Error & { field?: string }).field
    expect(await field({ ...encoded, extra: 1 })).toBe('extra')
    expect(await field({ ...encoded, version: 2 })).toBe('version')
    expect(await field({ ...encoded, stdin: 42 })).toBe('stdin')
    expect(await field({ ...encoded, files: [['a']] })).toBe('files[0]')
  })

  it('are only made for inputs up to the limit', () => {
    expect(announceable(new Uint8Array(MAX_ANNOUNCED_INPUT_BYTES), [])).toBe(true)
    expect(announceable(new Uint8Array(MAX_ANNOUNCED_INPUT_BYTES - 1), [['f', new Uint8Array(2)]])).toBe(false)
  })
})
