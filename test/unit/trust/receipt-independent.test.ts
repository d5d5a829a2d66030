/**
 * Verifies receipts the way a third party would, following only
 * docs/receipt-format.md: node:crypto for Ed25519 and SHA-256, and a few
 * lines for canonical JSON and base58btc. Nothing from src/ is used to
 * verify; src/ is used only to produce a fresh receipt to check.
 */
import { createHash, createPublicKey, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/index.ts'
import { signReceipt } from '../../../src/trust/index.ts'
import { exampleUnsigned, fixedIdentities } from './fixtures.ts'

/** The worked example of docs/receipt-format.md §7, verbatim. */
const EXAMPLE = `{
  "version": 1,
  "taskId": "task_01J9Z3K6QX",
  "moduleHash": "1885772b94ca41b360d9bd07535547f4c8ef16cbe7e49d2c8e9780247e26c4de",
  "inputHash": "880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2",
  "outputHash": "1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2",
  "stderrHash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "args": [
    "--lines",
    "ünïcødé €"
  ],
  "exitCode": 0,
  "startedAt": 1767225600000,
  "durationMs": 42,
  "timeoutMs": 10000,
  "memoryLimitBytes": 67108864,
  "executor": "12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf",
  "submitter": "12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9",
  "publicKey": "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",
  "signature": "vXkeGL8NwwYCac--4O5Ed8oZ6LgrQUDuFdo-q6IparQ3B0SecGmJtkdhX6etl8hL-wLB93BSOVLmX-DG9lFXBQ"
}`

/** The example's canonical signed bytes, as printed in the spec. */
const EXAMPLE_SIGNED_TEXT = '{"args":["--lines","ünïcødé €"],"durationMs":42,"executor":"12D3KooWJ1TsijH7H5F74hfAD5XishQz3sxrmAtVY37GtNd9CqYf","exitCode":0,"inputHash":"880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2","memoryLimitBytes":67108864,"moduleHash":"1885772b94ca41b360d9bd07535547f4c8ef16cbe7e49d2c8e9780247e26c4de","outputHash":"1121cfccd5913f0a63fec40a6ffd44ea64f9dc135c66634ba001d10bcf4302a2","publicKey":"ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ","startedAt":1767225600000,"stderrHash":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","submitter":"12D3KooWNQHGF6MZJ5WBLJ1VSUcLHhynAiHURkPC1asyhoFgR5t9","taskId":"task_01J9Z3K6QX","timeoutMs":10000,"version":1}'

type Json = Record<string, unknown>

// --- An independent verifier, as docs/receipt-format.md §6 describes it. ---

/**
 * RFC 8785 for this format only: every value is a string, a safe integer or
 * an array of strings, so sorting the top-level keys and JSON.stringify
 * without whitespace is the full canonical form.
 */
function signedText (receipt: Json): string {
  const entries = Object.entries(receipt).filter(([k]) => k !== 'signature').sort(([a], [b]) => (a < b ? -1 : 1))
  return JSON.stringify(Object.fromEntries(entries))
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

function independentlyValid (receipt: Json): boolean {
  const publicKey = Buffer.from(String(receipt.publicKey), 'base64url')
  if (publicKey.length !== 32 || peerIdOf(publicKey) !== receipt.executor) return false
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: String(receipt.publicKey) }, format: 'jwk' })
  const signature = Buffer.from(String(receipt.signature), 'base64url')
  return verify(null, Buffer.from(signedText(receipt), 'utf8'), key, signature)
}

// ---

describe('independent verification with node:crypto', () => {
  it('verifies the worked example from the spec', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    expect(signedText(receipt)).toBe(EXAMPLE_SIGNED_TEXT)
    expect(independentlyValid(receipt)).toBe(true)
  })

  it('recomputes the example\'s hashes from the task it describes', () => {
    const receipt = JSON.parse(EXAMPLE) as Json
    const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')
    expect(receipt.inputHash).toBe(sha256('a\nb\nc\n'))
    expect(receipt.outputHash).toBe(sha256('3\n'))
    expect(receipt.stderrHash).toBe(sha256(''))
  })

  it('our signer produces the example byte for byte', async () => {
    const { executor, submitter } = await fixedIdentities()
    expect(await signReceipt(exampleUnsigned(executor, submitter), executor)).toEqual(JSON.parse(EXAMPLE))
  })

  it('verifies fresh receipts from random identities', async () => {
    for (let i = 0; i < 5; i++) {
      const executor = await createIdentity()
      const submitter = await createIdentity()
      const receipt = await signReceipt({ ...exampleUnsigned(executor, submitter), args: [`run ${i}`, '\u0000"\\\n'] }, executor)
      expect(independentlyValid(JSON.parse(JSON.stringify(receipt)) as Json)).toBe(true)
    }
  })

  it('rejects the example with any one field altered', () => {
    const original = JSON.parse(EXAMPLE) as Json
    for (const field of Object.keys(original)) {
      const value = original[field]
      const altered = typeof value === 'number'
        ? value + 1
        : Array.isArray(value)
          ? [...value, 'x']
          : (String(value).startsWith('A') ? 'B' : 'A') + String(value).slice(1)
      expect(independentlyValid({ ...original, [field]: altered }), field).toBe(false)
    }
  })
})
