import { describe, expect, it } from 'vitest'
import {
  base64UrlToBytes, bytesToBase64Url, bytesToHex, bytesToUtf8, hexToBytes, isWellFormedString, utf8ToBytes
} from '../../../src/core/index.ts'

const errorName = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    return (err as Error).name
  }
  return undefined
}

describe('hex', () => {
  it('round-trips every byte value, lowercase', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const hex = bytesToHex(all)
    expect(hex).toMatch(/^[0-9a-f]{512}$/)
    expect(hexToBytes(hex)).toEqual(all)
    expect(hexToBytes(hex.toUpperCase())).toEqual(all)
  })

  it('handles empty input', () => {
    expect(bytesToHex(new Uint8Array())).toBe('')
    expect(hexToBytes('')).toEqual(new Uint8Array())
  })

  it.each(['0', 'abc', '0g', 'zz', ' 00', '00 ', '+0', '0x00'])('rejects %j', bad => {
    expect(errorName(() => hexToBytes(bad))).toBe('InvalidHexError')
  })

  it('rejects non-string and non-bytes input with TypeError', () => {
    expect(errorName(() => hexToBytes(12 as unknown as string))).toBe('TypeError')
    expect(errorName(() => bytesToHex([1, 2] as unknown as Uint8Array))).toBe('TypeError')
  })
})

describe('base64url', () => {
  // RFC 4648 §10 vectors, in the URL-safe alphabet with padding removed.
  it.each([
    ['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']
  ])('RFC 4648 §10: %j ↔ %j', (text, encoded) => {
    expect(bytesToBase64Url(new TextEncoder().encode(text))).toBe(encoded)
    expect(new TextDecoder().decode(base64UrlToBytes(encoded))).toBe(text)
  })

  it('uses - and _ where base64 uses + and /', () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0xbf)
    expect(bytesToBase64Url(bytes)).toBe('-_-_')
    expect(bytesToBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
  })

  it('agrees with Node for all lengths 0..64', () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)
      const encoded = Buffer.from(bytes).toString('base64url')
      expect(bytesToBase64Url(bytes)).toBe(encoded)
      expect(base64UrlToBytes(encoded)).toEqual(bytes)
    }
  })

  it.each([
    ['padding', 'Zg=='],
    ['plus', 'Zm+v'],
    ['slash', 'Zm/v'],
    ['whitespace', 'Zm9 v'],
    ['length 1 mod 4', 'Zm9vY'],
    ['non-zero trailing bits (1 byte)', 'Zh'],
    ['non-zero trailing bits (2 bytes)', 'Zm9'], // 'fo' is Zm8
    ['non-ASCII', 'Zm9é']
  ])('rejects %s', (_, bad) => {
    expect(errorName(() => base64UrlToBytes(bad))).toBe('InvalidBase64UrlError')
  })
})

describe('utf8', () => {
  it('round-trips text outside the BMP', () => {
    const text = 'h€llo \u{1F600} \u0000'
    expect(bytesToUtf8(utf8ToBytes(text))).toBe(text)
    expect(utf8ToBytes('€')).toEqual(Uint8Array.of(0xe2, 0x82, 0xac))
  })

  it('keeps a leading BOM', () => {
    expect(bytesToUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('\ufeffA')
  })

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]]
  ])('rejects %s', (_, bytes) => {
    expect(errorName(() => bytesToUtf8(Uint8Array.from(bytes)))).toBe('InvalidUtf8Error')
  })

  it('refuses to encode a lone surrogate', () => {
    expect(isWellFormedString('\ud83d\ude00')).toBe(true)
    expect(isWellFormedString('\ud83d')).toBe(false)
    expect(isWellFormedString('a\ude00')).toBe(false)
    expect(errorName(() => utf8ToBytes('\ud83d'))).toBe('InvalidUtf8Error')
  })
})
