import { describe, expect, it } from 'vitest'
import { sniffImageType } from '../../../src/core/media-type.ts'

describe('sniffImageType: PNG and JPEG by their first bytes', () => {
  it('knows the PNG signature and the JPEG start of image', () => {
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).toBe('image/png')
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg')
  })

  it('is undefined for anything else, including a cut signature', () => {
    for (const bytes of [[], [0x89, 0x50, 0x4e, 0x47], [0xff, 0xd8], [0x00, 0x61, 0x73, 0x6d], [...new TextEncoder().encode('GIF89a')]]) {
      expect(sniffImageType(new Uint8Array(bytes))).toBeUndefined()
    }
  })
})
