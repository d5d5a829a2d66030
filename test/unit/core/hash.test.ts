import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isSha256Hex, sha256Hex, sha256HexAsync } from '../../../src/core/index.ts'

describe('sha256Hex', () => {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "" and "abc".
  it('matches the known answers', () => {
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('agrees with node:crypto', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251)
    expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('rejects non-bytes', () => {
    expect(() => sha256Hex('abc' as unknown as Uint8Array)).toThrow(TypeError)
  })

  it('isSha256Hex accepts only 64 lowercase hex digits', () => {
    expect(isSha256Hex('a'.repeat(64))).toBe(true)
    expect(isSha256Hex('A'.repeat(64))).toBe(false)
    expect(isSha256Hex('a'.repeat(63))).toBe(false)
    expect(isSha256Hex(42)).toBe(false)
  })
})

describe('sha256HexAsync', () => {
  it('agrees with sha256Hex (FIPS 180-4 "abc" and a large input)', async () => {
    expect(await sha256HexAsync(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    const large = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251)
    expect(await sha256HexAsync(large)).toBe(sha256Hex(large))
  })
})
