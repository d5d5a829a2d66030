import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bytesToHex, hexToBytes } from '../../../src/core/index.ts'
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../../../src/crypto/index.ts'

// RFC 8032 §7.1, TEST 1–3: SECRET KEY, PUBLIC KEY, MESSAGE, SIGNATURE.
const VECTORS = [
  {
    name: 'TEST 1',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  },
  {
    name: 'TEST 2',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  },
  {
    name: 'TEST 3',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'
  }
]

describe('Ed25519 (RFC 8032 §7.1)', () => {
  it.each(VECTORS)('$name: secret key → public key → signature', v => {
    const seed = hexToBytes(v.secretKey)
    const message = hexToBytes(v.message)
    expect(bytesToHex(ed25519PublicKey(seed))).toBe(v.publicKey)
    expect(bytesToHex(ed25519Sign(message, seed))).toBe(v.signature)
    expect(ed25519Verify(hexToBytes(v.signature), message, hexToBytes(v.publicKey))).toBe(true)
  })

  it.each(VECTORS)('$name: node:crypto (OpenSSL) agrees', v => {
    const d = Buffer.from(v.secretKey, 'hex').toString('base64url')
    const x = Buffer.from(v.publicKey, 'hex').toString('base64url')
    const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x }, format: 'jwk' })
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' })
    const message = Buffer.from(v.message, 'hex')
    expect(nodeSign(null, message, privateKey).toString('hex')).toBe(v.signature)
    expect(nodeVerify(null, message, publicKey, Buffer.from(v.signature, 'hex'))).toBe(true)
  })

  it('rejects a signature after any single bit flip of message, signature or key', () => {
    const v = VECTORS[2]!
    const message = hexToBytes(v.message)
    const signature = hexToBytes(v.signature)
    const publicKey = hexToBytes(v.publicKey)
    const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
      const copy = bytes.slice()
      copy[bit >> 3]! ^= 1 << (bit & 7)
      return copy
    }
    for (let bit = 0; bit < message.length * 8; bit++) expect(ed25519Verify(signature, flip(message, bit), publicKey)).toBe(false)
    for (let bit = 0; bit < 512; bit += 7) expect(ed25519Verify(flip(signature, bit), message, publicKey)).toBe(false)
    for (let bit = 0; bit < 256; bit += 5) expect(ed25519Verify(signature, message, flip(publicKey, bit))).toBe(false)
  })

  it('answers a signature checked before only for the very same bytes, even when the caller changes its buffer afterwards', () => {
    const v = VECTORS[2]!
    const message = hexToBytes(v.message)
    const signature = hexToBytes(v.signature)
    const publicKey = hexToBytes(v.publicKey)
    expect(ed25519Verify(signature, message, publicKey)).toBe(true)
    expect(ed25519Verify(signature, message, publicKey)).toBe(true)
    message[0]! ^= 1
    expect(ed25519Verify(signature, message, publicKey)).toBe(false)
    expect(ed25519Verify(signature, new Uint8Array([...message, 0]), publicKey)).toBe(false)
    // One's own signature is known good at once, and only over what was signed.
    const seed = hexToBytes(VECTORS[0]!.secretKey)
    const own = ed25519Sign(message, seed)
    expect(ed25519Verify(own, message, ed25519PublicKey(seed))).toBe(true)
    expect(ed25519Verify(own, hexToBytes(v.message), ed25519PublicKey(seed))).toBe(false)
  })

  it('rejects a non-canonical S (S + L), as RFC 8032 §5.1.7 requires', () => {
    const v = VECTORS[0]!
    const sig = hexToBytes(v.signature)
    // L = 2^252 + 27742317777372353535851937790883648493, little-endian in bytes 32..63.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!)
    s += L
    for (let i = 32; i < 64; i++) {
      sig[i] = Number(s & 0xffn)
      s >>= 8n
    }
    expect(ed25519Verify(sig, new Uint8Array(), hexToBytes(v.publicKey))).toBe(false)
  })

  it('checks argument types and lengths', () => {
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow(RangeError)
    expect(() => ed25519Sign('x' as unknown as Uint8Array, new Uint8Array(32))).toThrow(TypeError)
    expect(() => ed25519Verify(new Uint8Array(63), new Uint8Array(), new Uint8Array(32))).toThrow(RangeError)
  })
})
