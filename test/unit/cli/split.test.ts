/**
 * `zerostate split verify`: a signed split record checked offline by
 * recomputing it; a record signed over a wrong split refused, naming the
 * member; unreadable input a usage error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitCommand } from '../../../src/cli/split.ts'
import { bytesToBase64Url } from '../../../src/core/index.ts'
import { canonicalSigningBytes, createIdentity, signCanonicalBytes } from '../../../src/crypto/index.ts'
import type { PeerIdentity } from '../../../src/crypto/index.ts'
import { computeSplitRecord, signSplitRecord } from '../../../src/economy/index.ts'
import type { SplitGame, SplitRecord } from '../../../src/economy/index.ts'
import { UNSIGNED_SPLIT_RECORD_FIELDS } from '../../../src/economy/shapley/record-format.ts'

let dir: string
let signer: PeerIdentity
let members: string[]
let record: SplitRecord

async function run (argv: string[]): Promise<{ code: number, out: string[], err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const code = await splitCommand(argv, { out: line => out.push(line), err: line => err.push(line) })
  return { code, out, err }
}

async function file (name: string, value: unknown): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

function game (): SplitGame {
  return {
    value: 10_000_000,
    roles: [
      { role: 'fetch', substitutePrice: 2_000_000, source: 'auction', evidence: null },
      { role: 'train', substitutePrice: 3_000_000, source: 'card', evidence: null }
    ],
    members: [{ member: members[0]!, costs: [{ role: 'fetch', cost: 0 }] }, { member: members[1]!, costs: [{ role: 'train', cost: 0 }] }],
    synergies: []
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zerostate-split-'))
  signer = await createIdentity(new Uint8Array(32).fill(1))
  members = [
    (await createIdentity(new Uint8Array(32).fill(2))).peerId.toString(),
    (await createIdentity(new Uint8Array(32).fill(3))).peerId.toString()
  ].sort()
  record = await signSplitRecord({
    runId: 'wf-cli-1', budget: 10_000_000, game: game(), signer: signer.peerId.toString(), publicKey: bytesToBase64Url(signer.publicKey), at: 1_767_225_600_000
  }, signer)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('zerostate split verify', () => {
  it('accepts a record that recomputes and prints each payment', async () => {
    const { code, out, err } = await run(['verify', await file('ok.json', record)])
    expect([code, err]).toEqual([0, []])
    expect(out[0]).toMatch(/^valid: split [0-9a-f]{64} of run wf-cli-1, signed by 12D3KooW\w+ \(exact\)$/)
    // Each its substitute's price plus half the 5 000 000 µ surplus.
    const fetcher = members[0]!
    const trainer = members[1]!
    expect(out.slice(1, 3)).toEqual([`  ${fetcher}  share 4500000 µ  paid 4500000 µ`, `  ${trainer}  share 5500000 µ  paid 5500000 µ`])
    expect(out).toContain('total 10000000 µ of a budget of 10000000 µ')
    const json = await run(['verify', await file('ok.json', record), '--json'])
    const parsed = JSON.parse(json.out[0]!) as { valid: boolean, payments: Array<{ payee: string, amount: number }> }
    expect(parsed.valid).toBe(true)
    expect(parsed.payments.reduce((sum, payment) => sum + payment.amount, 0)).toBe(10_000_000)
  })

  it('refuses a record signed over a split that does not recompute, naming the member', async () => {
    const unsigned = computeSplitRecord({ runId: record.runId, budget: record.budget, game: game(), signer: record.signer, publicKey: record.publicKey, at: record.at })
    const shares = unsigned.shares.map((share, i) => ({ ...share, share: share.share + (i === 0 ? 7 : -7), payment: share.payment + (i === 0 ? 7 : -7) }))
    const wrong = { ...unsigned, shares }
    const signed = { ...wrong, signature: await signCanonicalBytes(canonicalSigningBytes(wrong, UNSIGNED_SPLIT_RECORD_FIELDS), signer) }
    const { code, err } = await run(['verify', await file('wrong.json', signed)])
    expect(code).toBe(1)
    expect(err[0]).toMatch(new RegExp(`^SplitMismatchError: .* \\(member ${members[0]!}\\)$`))
    const tampered = await run(['verify', await file('tampered.json', { ...record, budget: 20_000_000 })])
    expect(tampered.code).toBe(1)
    expect(tampered.err[0]).toMatch(/^SplitRecordSignatureError/)
  })

  it('is a usage error for an unreadable file or missing argument', async () => {
    expect((await run(['verify', join(dir, 'missing.json')])).code).toBe(2)
    expect((await run(['verify', await file('bad.json', '{ not json')])).code).toBe(2)
    expect((await run(['verify'])).code).toBe(2)
  })
})
