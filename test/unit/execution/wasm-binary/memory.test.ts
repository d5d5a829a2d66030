import { describe, expect, it } from 'vitest'
import { capMemory, readMemoryLimits } from '../../../../src/execution/wasm-binary/index.ts'
import * as fixtures from '../../../fixtures/wasm-modules.ts'

describe('readMemoryLimits', () => {
  it('reads a defined memory without a maximum', () => {
    expect(readMemoryLimits(fixtures.declaresMemory(3))).toEqual([{ minPages: 3, imported: false }])
  })

  it('reads a defined memory with a maximum, across multi-byte LEB128', () => {
    expect(readMemoryLimits(fixtures.declaresMemory(200, 70_000))).toEqual([{ minPages: 200, maxPages: 70_000, imported: false }])
  })

  it('reads an imported memory after a function import', () => {
    expect(readMemoryLimits(fixtures.importsMemory(300))).toEqual([{ minPages: 300, imported: true }])
  })

  it('finds no memory in a module without one', () => {
    expect(readMemoryLimits(fixtures.noMemoryExport())).toEqual([])
  })
})

describe('capMemory', () => {
  it('adds a maximum to a memory that had none, and the result still validates', () => {
    const capped = capMemory(fixtures.declaresMemory(2), 8)
    expect(capped).not.toBeNull()
    expect(WebAssembly.validate(capped as Uint8Array<ArrayBuffer>)).toBe(true)
    expect(readMemoryLimits(capped as Uint8Array)).toEqual([{ minPages: 2, maxPages: 8, imported: false }])
  })

  it('keeps a declared maximum that is already lower', () => {
    expect(readMemoryLimits(capMemory(fixtures.declaresMemory(1, 4), 8) as Uint8Array)[0]?.maxPages).toBe(4)
  })

  it('returns null when the module defines no memory', () => {
    expect(capMemory(fixtures.noMemoryExport(), 8)).toBeNull()
  })
})
