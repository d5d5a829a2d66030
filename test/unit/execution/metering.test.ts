import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import { beforeAll, describe, expect, it } from 'vitest'
import { FUEL_GLOBAL_EXPORT, meterFuel } from '../../../src/execution/metering/index.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'

const BIG_BUDGET = 10n ** 15n

interface Metered {
  exports: Record<string, (...args: number[]) => number>
  fuel: WebAssembly.Global<'i64'>
}

async function instantiate (bytes: Uint8Array, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  return (await WebAssembly.instantiate(new Uint8Array(bytes), imports)).instance
}

async function metered (bytes: Uint8Array, budget = BIG_BUDGET, imports: WebAssembly.Imports = {}): Promise<Metered> {
  const instance = await instantiate(meterFuel(bytes), imports)
  const fuel = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'>
  fuel.value = budget
  return { exports: instance.exports as Metered['exports'], fuel }
}

/** Calls `f0(...args)` on the metered module and returns its result and the fuel it used. */
async function runF0 (bytes: Uint8Array, ...args: number[]): Promise<{ result: number, used: bigint }> {
  const { exports, fuel } = await metered(bytes)
  const result = (exports.f0 as (...a: number[]) => number)(...args)
  return { result, used: BIG_BUDGET - fuel.value }
}

/** `f0(...args)` on the unmetered module, to compare results. */
async function plainF0 (bytes: Uint8Array, ...args: number[]): Promise<number> {
  const instance = await instantiate(bytes)
  return (instance.exports.f0 as (...a: number[]) => number)(...args)
}

function rejectionOf (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}

describe('meterFuel: known fuel for hand-built modules (1 per original instruction)', () => {
  it('straight-line code: one block of 4', async () => {
    expect(await runF0(fixtures.straightLine())).toEqual({ result: 3, used: 4n })
  })

  it('a loop of n iterations uses 6 + 8n', async () => {
    for (const n of [0, 1, 10, 1000]) {
      expect((await runF0(fixtures.countdownLoop(), n)).used).toBe(BigInt(6 + 8 * n))
    }
  })

  it('br_table charges the path taken', async () => {
    expect(await runF0(fixtures.branchTable(), 0)).toEqual({ result: 10, used: 9n })
    expect(await runF0(fixtures.branchTable(), 1)).toEqual({ result: 20, used: 7n })
    expect(await runF0(fixtures.branchTable(), 2)).toEqual({ result: 30, used: 8n })
    expect(await runF0(fixtures.branchTable(), 99)).toEqual({ result: 30, used: 8n })
  })

  it('a branch out of nested blocks lands on a charged block', async () => {
    expect((await runF0(fixtures.nestedBreak())).used).toBe(6n)
  })

  it('a `block` opener starts no new basic block: nested blocks are charged once on entry, then after each reachable `end`', () => {
    // nestedBreak's body: block block block nop br 2 end end end, then the function's end. Charges: one at
    // entry for [block, block, block, nop, br 2], one after each of the four `end`s = 5 (8 when each
    // `block` ended a basic block). The fuel is the same either way (6: the test above). A charge ends
    // with `i64.sub; local.set $fuel`, the meter's local being 0 in a function without parameters or locals.
    const charges = (bytes: Uint8Array): number => {
      let count = 0
      for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x7d && bytes[i + 1] === 0x21 && bytes[i + 2] === 0x00) count++
      return count
    }
    expect(charges(meterFuel(fixtures.nestedBreak()))).toBe(5)
  })

  it('a block typed by a type index', async () => {
    expect(await runF0(fixtures.blockTypeIndex())).toEqual({ result: 5, used: 4n })
  })

  it('if/else charges each arm', async () => {
    expect(await runF0(fixtures.ifElse(), 1)).toEqual({ result: 1, used: 5n })
    expect(await runF0(fixtures.ifElse(), 0)).toEqual({ result: 5, used: 7n })
  })

  it('calls charge the callee and the block the call returns into', async () => {
    expect(await runF0(fixtures.callChain())).toEqual({ result: 43, used: 8n })
  })

  it('memory instructions with memargs', async () => {
    for (const x of [0, 0x1234_5678, 255]) {
      expect(await runF0(fixtures.memoryOps(), x)).toEqual({ result: (x + (x & 0xff) + 2) | 0, used: 18n })
    }
  })

  it('SIMD: v128.const, shuffle, lanes, load lane and splat', async () => {
    const expected = (7 + 0x0b0a0908 + 0x13121110 + 0x0b0a0908) | 0
    expect(await plainF0(fixtures.simdOps())).toBe(expected)
    expect(await runF0(fixtures.simdOps())).toEqual({ result: expected, used: 24n })
  })

  it('bulk memory, saturating truncation, sign extension, typed select, references, tables', async () => {
    const expected = await plainF0(fixtures.bulkAndReferenceOps())
    expect(await runF0(fixtures.bulkAndReferenceOps())).toEqual({ result: expected, used: 51n })
  })

  it('the fuel global comes after imported and defined globals and renumbers nothing', async () => {
    const imports = { env: { g: new WebAssembly.Global({ value: 'i32', mutable: true }, 10) } }
    const { exports, fuel } = await metered(fixtures.withGlobals(), BIG_BUDGET, imports)
    expect((exports.f0 as () => number)()).toBe(15)
    expect(BIG_BUDGET - fuel.value).toBe(6n) // 5 instructions and `end`
  })

  it('creates the global and export sections when the module has none', async () => {
    const bytes = meterFuel(fixtures.emptyModule())
    expect(WebAssembly.validate(bytes)).toBe(true)
    expect(WebAssembly.Module.exports(new WebAssembly.Module(bytes))).toEqual([{ name: FUEL_GLOBAL_EXPORT, kind: 'global' }])
  })
})

describe('meterFuel: running out', () => {
  it('a budget one short of the need traps with remaining < 0; the exact need does not', async () => {
    const need = 6 + 8 * 100
    const short = await metered(fixtures.countdownLoop(), BigInt(need - 1))
    expect(() => short.exports.f0?.(100)).toThrow(WebAssembly.RuntimeError)
    expect(short.fuel.value < 0n).toBe(true)
    const exact = await metered(fixtures.countdownLoop(), BigInt(need))
    exact.exports.f0?.(100)
    expect(exact.fuel.value).toBe(0n)
  })

  it('an endless loop stops once the budget is spent', async () => {
    const { exports, fuel } = await metered(fixtures.spins(), 10_000_000n)
    expect(() => exports.f0?.()).toThrow(WebAssembly.RuntimeError)
    expect(fuel.value < 0n).toBe(true)
  })

  it('a start function runs before the host can set a budget, so instantiation runs out of fuel', async () => {
    await expect(instantiate(meterFuel(fixtures.withStart()))).rejects.toThrow(WebAssembly.RuntimeError)
  })
})

describe('meterFuel: rejects what it cannot meter', () => {
  it('garbage and truncated modules with InvalidModuleError', () => {
    expect(rejectionOf(() => meterFuel(fixtures.notWasm())).name).toBe('InvalidModuleError')
    expect(rejectionOf(() => meterFuel(fixtures.truncated())).name).toBe('InvalidModuleError')
    expect(rejectionOf(() => meterFuel(new Uint8Array(0))).name).toBe('InvalidModuleError')
    const whole = fixtures.callChain()
    for (const length of [9, 20, whole.length - 3, whole.length - 1]) {
      expect(rejectionOf(() => meterFuel(whole.subarray(0, length))).name).toBe('InvalidModuleError')
    }
  })

  it('a body that does not end with `end` with InvalidModuleError', () => {
    expect(rejectionOf(() => meterFuel(fixtures.unknownInstruction([0x02, 0x40]))).name).toBe('InvalidModuleError')
  })

  it('an unknown opcode with UnsupportedInstructionError naming it and the function', () => {
    for (const [bytes, opcode] of [[[0x06, 0x40], '0x06'], [[0xfd, 0x9a, 0x01], '0xfd 0x9a'], [[0xfc, 0x12], '0xfc 0x12'], [[0xff], '0xff']] as const) {
      const err = rejectionOf(() => meterFuel(fixtures.unknownInstruction([...bytes]))) as Error & { opcode: string, functionIndex: number }
      expect(err.name).toBe('UnsupportedInstructionError')
      expect(err.opcode).toBe(opcode)
      expect(err.functionIndex).toBe(1) // the imported function is index 0
      expect(err.message).toContain(opcode)
    }
  })

  it('a module metered twice with FuelExportConflictError', () => {
    expect(rejectionOf(() => meterFuel(meterFuel(fixtures.straightLine()))).name).toBe('FuelExportConflictError')
  })
})

interface CommandRun {
  stdout: string
  /** Set when `_start` returned or called proc_exit. */
  exitCode?: number
  /** What `_start` threw (a trap), if it did. */
  trap?: unknown
  /** Fuel left afterwards, when the module is metered. */
  remaining?: bigint
}

/** Runs a WASI command with `stdin` and, when metered, `budget` of fuel. */
async function runCommand (bytes: Uint8Array, stdin: string, budget = BIG_BUDGET): Promise<CommandRun> {
  const chunks: Uint8Array[] = []
  const wasi = new WASI(['task'], [], [
    new OpenFile(new File(new TextEncoder().encode(stdin), { readonly: true })),
    new ConsoleStdout(chunk => { chunks.push(chunk) }),
    new ConsoleStdout(() => {})
  ], { debug: false })
  const instance = await instantiate(bytes, { wasi_snapshot_preview1: wasi.wasiImport })
  const fuel = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'> | undefined
  if (fuel !== undefined) fuel.value = budget
  const run: CommandRun = { stdout: '' }
  try {
    run.exitCode = wasi.start(instance as Parameters<WASI['start']>[0])
  } catch (err) {
    run.trap = err
  }
  run.stdout = Buffer.concat(chunks).toString('utf8')
  if (fuel !== undefined) run.remaining = fuel.value
  return run
}

const used = (run: CommandRun): bigint => BIG_BUDGET - (run.remaining as bigint)

describe('meterFuel: the samples', () => {
  const SAMPLES: Array<[string, string]> = [
    ['echo', 'Hello from ZeroState!\n'],
    ['sha256', 'hello world'],
    ['text-stats', 'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the fox runs.\n'],
    ['sentiment', 'I love how fast and reliable this is, though the setup was not easy.\n'],
    ['primes', '100000']
  ]
  const samples = new Map<string, Uint8Array>()

  beforeAll(async () => {
    await ensureSamplesBuilt()
    for (const id of [...SAMPLES.map(([id]) => id), 'forever']) samples.set(id, await sampleBytes(id))
  }, COMPILE_TIMEOUT_MS)

  const sample = (id: string): Uint8Array => samples.get(id) as Uint8Array

  it.each(SAMPLES)('%s: valid, same output, same fuel on every run', async (id, stdin) => {
    const bytes = meterFuel(sample(id))
    expect(WebAssembly.validate(bytes)).toBe(true)
    const plain = await runCommand(sample(id), stdin)
    expect(plain.trap).toBeUndefined()
    const runs = [await runCommand(bytes, stdin), await runCommand(bytes, stdin), await runCommand(bytes, stdin)]
    for (const run of runs) {
      expect(run.trap).toBeUndefined()
      expect(run.stdout).toBe(plain.stdout)
      expect(run.exitCode).toBe(plain.exitCode)
      expect(used(run)).toBe(used(runs[0] as CommandRun))
    }
    expect(used(runs[0] as CommandRun)).toBeGreaterThan(0n)
  })

  it('primes of 1,000,000 uses more fuel than primes of 1,000', async () => {
    const bytes = meterFuel(sample('primes'))
    const small = await runCommand(bytes, '1000')
    const large = await runCommand(bytes, '1000000')
    expect(large.stdout).toContain('primes: 78498')
    expect(used(large)).toBeGreaterThan(100n * used(small))
  })

  it('primes with its exact need finishes at 0; one less traps with remaining < 0', async () => {
    const bytes = meterFuel(sample('primes'))
    const need = used(await runCommand(bytes, '100000'))
    const exact = await runCommand(bytes, '100000', need)
    expect(exact.trap).toBeUndefined()
    expect(exact.remaining).toBe(0n)
    const short = await runCommand(bytes, '100000', need - 1n)
    expect(short.trap).toBeInstanceOf(WebAssembly.RuntimeError)
    expect(short.remaining).toBeLessThan(0n)
  })

  it('forever runs out of a budget of 10^7', async () => {
    const run = await runCommand(meterFuel(sample('forever')), '', 10_000_000n)
    expect(run.trap).toBeInstanceOf(WebAssembly.RuntimeError)
    expect(run.remaining).toBeLessThan(0n)
  })
})
