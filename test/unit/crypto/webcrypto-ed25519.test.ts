import * as ed from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../src/core/index.ts'
import { ed25519PublicKey, ed25519Sign, ed25519SignAsync, ed25519Verify, ed25519VerifyAsync } from '../../../src/crypto/index.ts'
import { webCryptoSign, webCryptoVerify } from '../../../src/crypto/webcrypto-ed25519.ts'

// RFC 8032 §7.1 TEST 3.
const SECRET = 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7'
const PUBLIC = 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025'
const MESSAGE = 'af82'
const SIGNATURE = '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'

const L = 2n ** 252n + 27742317777372353535851937790883648493n

function scalarToBytes (n: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

function bytesToScalar (bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

/**
 * A signature whose R carries a point of order 8 (T): valid under noble's
 * cofactored check ([8][S]B = [8]R + [8][k]A, T vanishes), invalid under
 * the cofactorless one of BoringSSL and OpenSSL ([S]B − [k]A = R).
 */
function mixedOrderSignature (seed: Uint8Array, message: Uint8Array): Uint8Array {
  const { scalar: a, pointBytes: A } = ed.utils.getExtendedPublicKey(seed)
  // An order-8 point (its canonical encoding, from libsodium's list of small-order points).
  const T = ed.Point.fromBytes(hexToBytes('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'), false)
  const r = 1234567890123456789n
  const R = ed.Point.BASE.multiply(r).add(T).toBytes()
  const k = bytesToScalar(sha512(new Uint8Array([...R, ...A, ...message]))) % L
  const S = (r + k * a) % L
  return new Uint8Array([...R, ...scalarToBytes(S)])
}

describe('Ed25519 through WebCrypto gives exactly noble\'s answers', () => {
  it('has Ed25519 in this Node\'s WebCrypto, and signs RFC 8032\'s vector byte for byte', async () => {
    const signature = await webCryptoSign(hexToBytes(MESSAGE), hexToBytes(SECRET))
    expect(signature).toBeDefined()
    expect(bytesToHex(signature!)).toBe(SIGNATURE)
    expect(await webCryptoVerify(hexToBytes(SIGNATURE), hexToBytes(MESSAGE), hexToBytes(PUBLIC))).toBe(true)
  })

  it('signs as noble does (pure Ed25519 is deterministic), for many keys and messages', async () => {
    for (let i = 0; i < 24; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32))
      const message = crypto.getRandomValues(new Uint8Array(i * 37))
      const signature = await ed25519SignAsync(message, seed)
      expect(bytesToHex(signature)).toBe(bytesToHex(ed25519Sign(message, seed)))
      expect(ed25519Verify(signature, message, ed25519PublicKey(seed))).toBe(true)
    }
  })

  it('verifies as noble does: valid, any bit flipped, S + L', async () => {
    const message = hexToBytes(MESSAGE)
    const signature = hexToBytes(SIGNATURE)
    const publicKey = hexToBytes(PUBLIC)
    expect(await ed25519VerifyAsync(signature, message, publicKey)).toBe(true)
    const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
      const copy = bytes.slice()
      copy[bit >> 3]! ^= 1 << (bit & 7)
      return copy
    }
    for (let bit = 0; bit < 16; bit++) expect(await ed25519VerifyAsync(signature, flip(message, bit), publicKey)).toBe(false)
    for (let bit = 0; bit < 512; bit += 11) expect(await ed25519VerifyAsync(flip(signature, bit), message, publicKey)).toBe(ed25519Verify(flip(signature, bit), message, publicKey))
    for (let bit = 0; bit < 256; bit += 9) expect(await ed25519VerifyAsync(signature, message, flip(publicKey, bit))).toBe(false)
    const s = scalarToBytes(bytesToScalar(signature.subarray(32)) + L)
    expect(await ed25519VerifyAsync(new Uint8Array([...signature.subarray(0, 32), ...s]), message, publicKey)).toBe(false)
  })

  it('takes noble\'s "valid" where WebCrypto\'s cofactorless check says no (a mixed-order R)', async () => {
    const seed = hexToBytes(SECRET)
    const message = new TextEncoder().encode('a receipt')
    const signature = mixedOrderSignature(seed, message)
    expect(await webCryptoVerify(signature, message, ed25519PublicKey(seed))).toBe(false)
    expect(ed25519Verify(signature, message, ed25519PublicKey(seed))).toBe(true)
    expect(await ed25519VerifyAsync(signature, message, ed25519PublicKey(seed))).toBe(true)
  })

  it('takes noble\'s "invalid" for a public key of small order, whatever WebCrypto says', async () => {
    // A = the neutral element (0, 1); R = A, S = 0: [0]B = R + [k]A holds for any k.
    const identity = hexToBytes('0100000000000000000000000000000000000000000000000000000000000000')
    const signature = new Uint8Array([...identity, ...new Uint8Array(32)])
    const message = new TextEncoder().encode('anything at all')
    expect(ed25519Verify(signature, message, identity)).toBe(false)
    expect(await ed25519VerifyAsync(signature, message, identity)).toBe(false)
    // A non-canonical encoding of a key (y = p + 1 ≡ 1): noble's strict decoding refuses it.
    const nonCanonical = scalarToBytes(2n ** 255n - 19n + 1n)
    expect(await ed25519VerifyAsync(new Uint8Array([...nonCanonical, ...new Uint8Array(32)]), message, nonCanonical)).toBe(false)
  })
})
