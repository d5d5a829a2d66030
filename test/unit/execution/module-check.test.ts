import { describe, expect, it } from 'vitest'
import { MAX_MODULE_BYTES, WASM_PAGE_BYTES } from '../../../src/execution/constants.ts'
import { compileTaskModule } from '../../../src/execution/module-check.ts'
import { FUEL_GLOBAL_EXPORT, meterFuel } from '../../../src/execution/metering/index.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { rejection } from '../../support/rejection.ts'

describe('compileTaskModule', () => {
  it('accepts a minimal WASI command and meters it', async () => {
    const module = await compileTaskModule(fixtures.emptyCommand())
    expect(WebAssembly.Module.exports(module).map(e => e.name).sort()).toEqual(['_start', 'memory', FUEL_GLOBAL_EXPORT])
  })

  it('leaves the module unmetered when asked', async () => {
    const module = await compileTaskModule(fixtures.emptyCommand(), { metered: false })
    expect(WebAssembly.Module.exports(module).map(e => e.name).sort()).toEqual(['_start', 'memory'])
  })

  it('rejects a module that cannot be metered (it already exports the fuel global) as invalid', async () => {
    const metered = meterFuel(fixtures.emptyCommand())
    expect((await rejection(compileTaskModule(metered))).name).toBe('InvalidModuleError')
  })

  it('rejects zero bytes', async () => {
    expect((await rejection(compileTaskModule(new Uint8Array(0)))).name).toBe('InvalidModuleError')
  })

  it('rejects bytes that are not WebAssembly, with the engine reason', async () => {
    const err = await rejection(compileTaskModule(fixtures.notWasm()))
    expect(err.name).toBe('InvalidModuleError')
    expect(err.message).toMatch(/Module does not compile: .+/)
  })

  it('rejects a truncated module', async () => {
    expect((await rejection(compileTaskModule(fixtures.truncated()))).name).toBe('InvalidModuleError')
  })

  it('rejects modules over the size limit before compiling', async () => {
    const err = await rejection(compileTaskModule(new Uint8Array(MAX_MODULE_BYTES + 1)))
    expect(err.name).toBe('ModuleTooLargeError')
  })

  it('rejects a module without _start', async () => {
    expect((await rejection(compileTaskModule(fixtures.noStart()))).name).toBe('NotWasiCommandError')
  })

  it('rejects a module that does not export memory', async () => {
    expect((await rejection(compileTaskModule(fixtures.noMemoryExport()))).name).toBe('NotWasiCommandError')
  })

  it('rejects a non-WASI import and names it', async () => {
    const err = await rejection(compileTaskModule(fixtures.importsEnvFoo()))
    expect(err.name).toBe('UnsupportedImportError')
    expect(err).toHaveProperty('importName', 'env.foo')
  })

  it('accepts a WASI function the runner does not provide (the call fails, not the import)', async () => {
    await compileTaskModule(fixtures.importsSockSend())
  })

  it('rejects an imported memory (WASI provides none)', async () => {
    expect((await rejection(compileTaskModule(fixtures.importsMemory(1)))).name).toBe('UnsupportedImportError')
  })

  it('rejects declared initial memory over the limit', async () => {
    const err = await rejection(compileTaskModule(fixtures.declaresMemory(17), { memoryLimitBytes: 16 * WASM_PAGE_BYTES }))
    expect(err.name).toBe('MemoryLimitError')
  })

  it('accepts declared memory exactly at the limit', async () => {
    await compileTaskModule(fixtures.declaresMemory(16), { memoryLimitBytes: 16 * WASM_PAGE_BYTES })
  })

  it('rejects when the signal is already aborted', async () => {
    const err = await rejection(compileTaskModule(fixtures.emptyCommand(), { signal: AbortSignal.abort() }))
    expect(err.name).toBe('AbortError')
  })

  it('does not modify the caller\'s bytes when capping memory', async () => {
    const bytes = fixtures.declaresMemory(1)
    const copy = bytes.slice()
    await compileTaskModule(bytes, { memoryLimitBytes: 4 * WASM_PAGE_BYTES })
    expect(bytes).toEqual(copy)
  })
})
