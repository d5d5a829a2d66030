/**
 * Verifies receipts the way a third party would, following only
 * docs/receipt-format.md: node:crypto for Ed25519 and SHA-256, and a few
 * lines for canonical JSON and base58btc. Nothing from src/ is used to
 * verify; src/ is used only to produce fresh receipts to check.
 */
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/index.ts'
import { signReceipt } from '../../../src/receipts/index.ts'
import type { UnsignedReceipt } from '../../../src/receipts/index.ts'
import { EXAMPLE_INPUT_FILES, EXAMPLE_OUTPUT_FILES, exampleUnsigned, fixedIdentities, recharged } from './fixtures.ts'

/** The worked example of docs/receipt-format.md §8, verbatim. */
const EXAMPLE = `{
  "version": 3,
  "taskId": "task_01J9Z3K6QX",
  "moduleHash": "1885772b94ca41b360d9bd07535547f4c8ef16cbe7e49d2c8e9780247e26c4de",
  "inputHash": "880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2",
  "outputHash": "1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2",
  "stderrHash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "args": [
    "--lines",
    "ünïcødé €"
  ],
  "env": [
    [
      "LC_ALL",
      "C.UTF-8"
    ],
    [
      "GREETING",
      "grüß dich"
    ]
  ],
  "seed": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
  "inputFilesHash": "91eb5cc8afe19bf8e244c9101f5c3eea8c5e441854027b5b05ed7c28bba7d489",
  "outputFilesHash": "48fae404807ef8bb4eea231538136f109cb4423fc9a17c497b7a7fe2d7d09097",
  "status": "ok",
  "exitCode": 0,
  "startedAt": 1767225600000,
  "durationMs": 42,
  "limits": {
    "timeoutMs": 10000,
    "memoryBytes": 67108864,
    "fuel": 1000000000
  },
  "fuelUsed": 48213,
  "memoryPeakBytes": 131072,
  "price": {
    "perMegaFuel": 100,
    "perSecond": 50,
    "perMb": 10,
    "maxTotalPrice": 10000,
    "charge": 10
  },
  "executor": "12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf",
  "submitter": "12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9",
  "publicKey": "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",
  "signature": "F35FEBpx4sdyBE96knpJQfIuVEQMWgAJYtnY0uxHgFCEvc8yJq77emiLe4PfkeFIuR1D7LRKouDafdheRt9oAA"
}`

/** The example's canonical signed bytes, as printed in the spec. */
const EXAMPLE_SIGNED_TEXT = '{"args":["--lines","ünïcødé €"],"durationMs":42,"env":[["LC_ALL","C.UTF-8"],["GREETING","grüß dich"]],"executor":"12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf","exitCode":0,"fuelUsed":48213,"inputFilesHash":"91eb5cc8afe19bf8e244c9101f5c3eea8c5e441854027b5b05ed7c28bba7d489","inputHash":"880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2","limits":{"fuel":1000000000,"memoryBytes":67108864,"timeoutMs":10000},"memoryPeakBytes":131072,"moduleHash":"1885772b94ca41b360d9bd07535547f4c8ef16cbe7e49d2c8e9780247e26c4de","outputFilesHash":"48fae404807ef8bb4eea231538136f109cb4423fc9a17c497b7a7fe2d7d09097","outputHash":"1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2","price":{"charge":10,"maxTotalPrice":10000,"perMb":10,"perMegaFuel":100,"perSecond":50},"publicKey":"ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ","seed":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8","startedAt":1767225600000,"status":"ok","stderrHash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","submitter":"12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9","taskId":"task_01J9Z3K6QX","version":3}'

type Json = Record<string, unknown>

// --- An independent verifier, as docs/receipt-format.md §7 describes it. ---

/**
 * RFC 8785 for the values this format holds: strings, safe integers, null,
 * arrays and objects with ASCII member names (the receipt, `limits` and `price`). So
 * sorting member names at every depth and JSON.stringify for the rest is the
 * full canonical form (§5).
 */
function canonical (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Json
    return `{${Object.keys(record).sort().map(k => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function signedText (receipt: Json): string {
  const { signature: _, ...unsigned } = receipt
  return canonical(unsigned)
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** §4, as printed in the spec. */
function filesHash (files: Array<[string, Uint8Array]>): string {
  return sha256(JSON.stringify(files.map(([path, bytes]) => [path, sha256(bytes)]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))))
}

function base58btc (bytes: Buffer): string {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
  let n = BigInt('0x' + (bytes.toString('hex') || '0'))
  let out = ''
  while (n > 0n) {
    out = alphabet[Number(n % 58n)] + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = '1' + out
  }
  return out
}

/** libp2p peer-ids spec: identity multihash (0x00, 36) of protobuf PublicKey { Type: Ed25519 (1), Data: key }. */
function peerIdOf (publicKey: Buffer): string {
  return base58btc(Buffer.concat([Buffer.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), publicKey]))
}

/** §3 charge rule, in BigInt: each part rounded up, the sum capped by maxTotalPrice. */
function chargeOf (receipt: Json): bigint {
  const { perMegaFuel, perSecond, perMb, maxTotalPrice } = receipt.price as Record<string, number>
  const part = (amount: unknown, price: number, per: bigint): bigint => (BigInt(Number(amount ?? 0)) * BigInt(price) + per - 1n) / per
  const cost = part(receipt.fuelUsed, perMegaFuel!, 1_000_000n) + part(receipt.durationMs, perSecond!, 1000n) + part(receipt.memoryPeakBytes, perMb!, 1_048_576n)
  const cap = BigInt(maxTotalPrice!)
  return cost < cap ? cost : cap
}

function independentlyValid (receipt: Json): boolean {
  const publicKey = Buffer.from(String(receipt.publicKey), 'base64url')
  if (publicKey.length !== 32 || peerIdOf(publicKey) !== receipt.executor) return false
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: String(receipt.publicKey) }, format: 'jwk' })
  const signature = Buffer.from(String(receipt.signature), 'base64url')
  return verify(null, Buffer.from(signedText(receipt), 'utf8'), key, signature)
}

/** Every way to change one value of the receipt, nested values included, each still well-typed JSON. */
function alterations (value: unknown, path: string): Array<[string, unknown]> {
  if (value === null) return [[path, 0]]
  if (typeof value === 'number') return [[path, value + 1]]
  if (typeof value === 'string') return [[path, (value.startsWith('A') ? 'B' : 'A') + value.slice(1)]]
  if (Array.isArray(value)) {
    const appended: unknown = typeof value[0] === 'string' ? 'x' : ['X', 'y']
    return [
      [`${path} (appended)`, [...value, appended]],
      [`${path} (reversed)`, [...value].reverse()],
      ...value.flatMap((item, i) => alterations(item, `${path}[${i}]`).map(([p, v]): [string, unknown] => [p, value.with(i, v)]))
    ]
  }
  const record = value as Json
  return Object.keys(record).flatMap(k => alterations(record[k], `${path}.${k}`).map(([p, v]): [string, unknown] => [p, { ...record, [k]: v }]))
}

// ---

describe('independent verification with node:crypto', () => {
  it('verifies the worked example from the spec', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    expect(signedText(receipt)).toBe(EXAMPLE_SIGNED_TEXT)
    expect(independentlyValid(receipt)).toBe(true)
  })

  it('the spec prints this example and this signed message', () => {
    const spec = readFileSync(new URL('../../../docs/receipt-format.md', import.meta.url), 'utf8')
    expect(spec).toContain('```json\n' + EXAMPLE + '\n```')
    expect(spec).toContain('```\n' + EXAMPLE_SIGNED_TEXT + '\n```')
    expect(spec).toContain(`Signed message (one line, ${Buffer.byteLength(EXAMPLE_SIGNED_TEXT)} bytes of UTF-8)`)
  })

  it('signs nested limits with their members sorted, whatever order they are stored in', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    expect(Object.keys(receipt.limits as Json)).toEqual(['timeoutMs', 'memoryBytes', 'fuel'])
    expect(EXAMPLE_SIGNED_TEXT).toContain('"limits":{"fuel":1000000000,"memoryBytes":67108864,"timeoutMs":10000}')
    const { timeoutMs, memoryBytes, fuel } = receipt.limits as Json
    expect(independentlyValid({ ...receipt, limits: { fuel, timeoutMs, memoryBytes } })).toBe(true)
    // A verifier that sorted only the top level would sign other bytes.
    const shallow = JSON.stringify(Object.fromEntries(Object.entries(receipt).filter(([k]) => k !== 'signature').sort(([a], [b]) => (a < b ? -1 : 1))))
    expect(shallow).not.toBe(EXAMPLE_SIGNED_TEXT)
  })

  it('recomputes the example\'s hashes and seed from the task it describes', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    expect(receipt.moduleHash).toBe(sha256('(module)'))
    expect(receipt.inputHash).toBe(sha256('a\nb\nc\n'))
    expect(receipt.outputHash).toBe(sha256('3\n'))
    expect(receipt.stderrHash).toBe(sha256(''))
    expect(Buffer.from(String(receipt.seed), 'base64url')).toEqual(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))
    expect(receipt.inputFilesHash).toBe(filesHash(EXAMPLE_INPUT_FILES))
    expect(receipt.outputFilesHash).toBe(filesHash(EXAMPLE_OUTPUT_FILES))
    expect(filesHash([])).toBe(sha256('[]'))
    // ⌈48213·100/10^6⌉ + ⌈42·50/1000⌉ + ⌈131072·10/2^20⌉ = 5 + 3 + 2.
    expect(receipt.price).toEqual({ perMegaFuel: 100, perSecond: 50, perMb: 10, maxTotalPrice: 10000, charge: 10 })
    expect(chargeOf(receipt)).toBe(10n)
  })

  it('signs nested price with its members sorted, and prints it in the order of the spec', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    expect(Object.keys(receipt.price as Json)).toEqual(['perMegaFuel', 'perSecond', 'perMb', 'maxTotalPrice', 'charge'])
    expect(EXAMPLE_SIGNED_TEXT).toContain('"outputHash":"1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2","price":{"charge":10,"maxTotalPrice":10000,"perMb":10,"perMegaFuel":100,"perSecond":50},"publicKey"')
    const { perMegaFuel, perSecond, perMb, maxTotalPrice, charge } = receipt.price as Json
    expect(independentlyValid({ ...receipt, price: { charge, perMb, maxTotalPrice, perSecond, perMegaFuel } })).toBe(true)
  })

  it('our signer produces the example byte for byte', async () => {
    const { executor, submitter } = await fixedIdentities()
    expect(await signReceipt(exampleUnsigned(executor, submitter), executor)).toEqual(JSON.parse(EXAMPLE))
  })

  it('verifies fresh receipts from random identities, failed runs included', async () => {
    const variants: Array<Partial<UnsignedReceipt>> = [
      { args: ['run 0', '\u0000"\\\n'], env: [['A\u0001', '=\u007f"\\'], ['EMPTY', '']] },
      { status: 'exit', exitCode: -1 },
      { status: 'trap', exitCode: null, fuelUsed: 0 },
      { status: 'timeout', exitCode: null, fuelUsed: null },
      { status: 'out-of-fuel', exitCode: null, limits: { timeoutMs: 1, memoryBytes: 65536, fuel: 2 ** 53 - 1 }, fuelUsed: 2 ** 53 - 1 },
      { status: 'memory-limit', exitCode: null, env: [] },
      { status: 'invalid-module', exitCode: null, fuelUsed: 0, memoryPeakBytes: 0, args: [] },
      { price: { perMegaFuel: 0, perSecond: 0, perMb: 0, maxTotalPrice: 0, charge: 0 } },
      { price: { perMegaFuel: 1e12, perSecond: 1e12, perMb: 1e12, maxTotalPrice: 2 ** 53 - 1, charge: 0 }, fuelUsed: 1000000000 }
    ]
    for (const variant of variants) {
      const executor = await createIdentity()
      const submitter = await createIdentity()
      const receipt = await signReceipt(recharged({ ...exampleUnsigned(executor, submitter), ...variant }), executor)
      const json = JSON.parse(JSON.stringify(receipt)) as Json
      expect(independentlyValid(json), JSON.stringify(variant)).toBe(true)
      expect(BigInt(receipt.price.charge), JSON.stringify(variant)).toBe(chargeOf(json))
    }
  })

  it('rejects the example with any one value altered, nested ones included', () => {
    const original = JSON.parse(EXAMPLE) as Json
    const altered = alterations(original, '$')
    expect(altered.map(([path]) => path)).toEqual(expect.arrayContaining(['$.limits.fuel', '$.price.perMb', '$.price.charge', '$.env[1][1]', '$.env (reversed)', '$.exitCode', '$.seed']))
    for (const [path, receipt] of altered) expect(independentlyValid(receipt as Json), path).toBe(false)
  })
})
