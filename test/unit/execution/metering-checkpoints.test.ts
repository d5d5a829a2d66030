/**
 * The meter's checkpoints (metering/instrument-body.ts): the count lives in a
 * local between them, is checked only there, and the global is exact at
 * every call, every way out of a function and, with `exactAtTraps`, at every
 * instruction that may trap. Out of fuel is decided at a checkpoint, the same
 * on every run; nothing outside the module (a host call, memory growth)
 * happens with the budget overdrawn.
 */
import { describe, expect, it } from 'vitest'
import { FUEL_GLOBAL_EXPORT, meterFuel, type MeterFuelOptions } from '../../../src/execution/metering/index.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { wat } from '../../fixtures/wat-modules.ts'
import { sampleBytes } from './samples.ts'

const BIG = 10n ** 15n
const MODES: Array<[string, MeterFuelOptions]> = [
  ['fast', {}], ['exact at traps', { exactAtTraps: true }],
  ['fast, growth hook', { reportMemoryGrowth: true }], ['exact at traps, growth hook', { reportMemoryGrowth: true, exactAtTraps: true }]
]

interface Run {
  /** What the function returned, or undefined when it threw. */
  result?: number
  threw: boolean
  /** Budget minus the global afterwards. */
  used: bigint
  remaining: bigint
}

async function instance (bytes: Uint8Array, options: MeterFuelOptions, imports: WebAssembly.Imports = {}): Promise<{ exports: WebAssembly.Exports, fuel: WebAssembly.Global<'i64'> }> {
  const withHook = options.reportMemoryGrowth === true ? { ...imports, zerostate: { memory_grew: () => {} } } : imports
  const { instance } = await WebAssembly.instantiate(meterFuel(bytes, options), withHook)
  return { exports: instance.exports, fuel: instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'> }
}

async function call (bytes: Uint8Array, options: MeterFuelOptions, budget: bigint, args: number[] = [], imports: WebAssembly.Imports = {}): Promise<Run> {
  const { exports, fuel } = await instance(bytes, options, imports)
  fuel.value = budget
  try {
    const result = (exports.f0 as (...a: number[]) => number)(...args)
    return { result, threw: false, used: budget - fuel.value, remaining: fuel.value }
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err
    return { threw: true, used: budget - fuel.value, remaining: fuel.value }
  }
}

/** Raw function bodies (the `library` helper adds the final `end`). */
const BR_IF = 0x0d
const BR_TABLE = 0x0e
const LOCAL_GET = 0x20
const NOP = 0x01
const BLOCK = 0x02
const END = 0x0b
const RETURN_CALL = 0x12

describe('meterFuel: the global is exact wherever the function is left', () => {
  // f0(x): [local.get, br_if 0] 2 leaves the function when x ≠ 0 (label 0 at depth 1 is the body's);
  // otherwise [nop, nop, end] 3 more: fuel 2 or 5.
  const brIfOut = fixtures.library([{ params: [0x7f], body: [LOCAL_GET, 0, BR_IF, 0, NOP, NOP] }])
  // f0(i): [block, local.get, br_table [0] 1] 3; i = 0 lands after the block's `end` on [nop, end] 2 (fuel 5),
  // anything else takes label 1, the body's, out of the function (fuel 3).
  const brTableOut = fixtures.library([{ params: [0x7f], body: [BLOCK, 0x40, LOCAL_GET, 0, BR_TABLE, 1, 0, 1, END, NOP] }])
  // f0: [return_call f1] 1; f1: [nop, end] 2: fuel 3.
  const tailCall = fixtures.library([{ body: [RETURN_CALL, 1] }, { body: [NOP] }])

  it.each(MODES)('%s: br_if, br_table and return_call out of a function', async (_, options) => {
    expect((await call(brIfOut, options, BIG, [1])).used).toBe(2n)
    expect((await call(brIfOut, options, BIG, [0])).used).toBe(5n)
    expect((await call(brTableOut, options, BIG, [1])).used).toBe(3n)
    expect((await call(brTableOut, options, BIG, [0])).used).toBe(5n)
    expect((await call(tailCall, options, BIG)).used).toBe(3n)
  })

  it.each(MODES)('%s: the exact need finishes at 0, one less traps at a checkpoint with the global below 0', async (_, options) => {
    for (const [bytes, args, need] of [[brIfOut, [1], 2n], [brIfOut, [0], 5n], [brTableOut, [1], 3n], [tailCall, [], 3n]] as const) {
      const exact = await call(bytes, options, need, [...args])
      expect(exact).toMatchObject({ threw: false, remaining: 0n })
      const short = await call(bytes, options, need - 1n, [...args])
      expect(short.threw).toBe(true)
      expect(short.remaining).toBeLessThan(0n)
    }
  })
})

describe('meterFuel: out of fuel is decided at checkpoints, the same on every run', () => {
  it.each(MODES)('%s: every budget below the need of the countdown loop traps, at the same point each time', async (_, options) => {
    const n = 20
    const need = BigInt(6 + 8 * n)
    const seen = new Map<bigint, bigint>()
    for (let budget = 0n; budget <= need; budget++) {
      const first = await call(fixtures.countdownLoop(), options, budget, [n])
      const second = await call(fixtures.countdownLoop(), options, budget, [n])
      expect(first).toEqual(second)
      expect(first.threw).toBe(budget < need)
      if (budget === need) expect(first.remaining).toBe(0n)
      else {
        // It stopped no later than the loop header after the block that overdrew: at most one
        // iteration's blocks (C 3 + D 5) past the budget.
        expect(first.remaining).toBeLessThan(0n)
        expect(first.remaining).toBeGreaterThanOrEqual(-8n)
        seen.set(budget, first.remaining)
      }
    }
    expect(seen.size).toBe(Number(need))
  })

  // Calls env.tick each time round a loop that also does some arithmetic; tick reads the global,
  // which must be exact at a call, and which must never be below zero there.
  const ticks = wat(`(module
    (import "env" "tick" (func $tick))
    (memory (export "memory") 1)
    (func (export "f0") (param $n i32) (local $i i32) (local $x i32)
      (loop $more
        (local.set $x (i32.mul (i32.add (local.get $x) (local.get $i)) (i32.const 3)))
        (if (i32.and (local.get $x) (i32.const 1)) (then (local.set $x (i32.add (local.get $x) (i32.const 7)))))
        (call $tick)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (local.get $n))))))`)

  it.each(MODES)('%s: a host call happens exactly when the fuel charged before it fits the budget', async (_, options) => {
    // With a budget that never runs out, what each call sees: the fuel used so far.
    const usedAtTicks: bigint[] = []
    let fuel: WebAssembly.Global<'i64'> | undefined
    let budget = BIG
    const imports = { env: { tick: () => { usedAtTicks.push(budget - (fuel as WebAssembly.Global<'i64'>).value) } } }
    const run = async (b: bigint): Promise<number> => {
      const before = usedAtTicks.length
      budget = b
      const made = await instance(ticks, options, imports)
      fuel = made.fuel
      fuel.value = b
      try { (made.exports.f0 as (n: number) => void)(30) } catch (err) { if (!(err instanceof WebAssembly.RuntimeError)) throw err }
      return usedAtTicks.length - before
    }
    expect(await run(BIG)).toBe(30)
    const reference = usedAtTicks.splice(0)
    expect(reference.every((used, i) => i === 0 || used > (reference[i - 1] as bigint))).toBe(true)
    for (const b of [0n, 1n, ...reference.flatMap(used => [used - 1n, used, used + 1n])]) {
      const calls = await run(b)
      expect(calls).toBe(reference.filter(used => used <= b).length)
      // Each call saw the same count as in the unlimited run, never an overdrawn one.
      expect(usedAtTicks.splice(0)).toEqual(reference.slice(0, calls))
    }
  })
})

describe('meterFuel: exactAtTraps leaves the count in the global at any trap', () => {
  // One basic block each: `instructions` original instructions, then the function's `end` (never reached).
  // The block is charged in full on entry, so the old meter's global held `instructions + 1` at the trap.
  const I32_CONST = 0x41
  const I64_CONST = 0x42
  const DROP = 0x1a
  const TRAPS: Array<[string, number[], number]> = [
    ['unreachable', [0x00], 1],
    ['i32.div_u by zero', [I32_CONST, 1, I32_CONST, 0, 0x6e, DROP], 4],
    ['i64.rem_s by zero', [I64_CONST, 1, I64_CONST, 0, 0x81, DROP], 4],
    ['i32.trunc_f32_s of NaN', [0x43, 0x00, 0x00, 0xc0, 0x7f, 0xa8, DROP], 3],
    ['i32.load out of bounds', [I32_CONST, 0x80, 0xa2, 0x04, 0x28, 0x02, 0x00, DROP], 3], // address 70,000
    ['memory.fill out of bounds', [I32_CONST, 0x80, 0x80, 0x04, I32_CONST, 0, I32_CONST, 10, 0xfc, 0x0b, 0x00], 4], // from 65,536
    ['v128.load out of bounds', [I32_CONST, 0x80, 0xa2, 0x04, 0xfd, 0x00, 0x04, 0x00, DROP], 3]
  ]

  it.each(TRAPS)('%s', async (_, body, instructions) => {
    const bytes = fixtures.library([{ body }])
    for (const [, options] of MODES) {
      const run = await call(bytes, options, BIG)
      expect(run.threw).toBe(true)
      // Without it the count stays in the local: the global still holds the whole budget.
      expect(run.used).toBe(options.exactAtTraps === true ? BigInt(instructions + 1) : 0n)
    }
  })
})

describe('meterFuel: valid output in every mode', () => {
  const hand = [
    fixtures.straightLine(), fixtures.countdownLoop(), fixtures.branchTable(), fixtures.nestedBreak(), fixtures.blockTypeIndex(),
    fixtures.ifElse(), fixtures.callChain(), fixtures.memoryOps(), fixtures.simdOps(), fixtures.bulkAndReferenceOps(),
    fixtures.withGlobals(), fixtures.spins(), fixtures.emptyModule()
  ]
  it.each(MODES)('%s: hand-built modules and every sample', async (_, options) => {
    for (const bytes of hand) expect(WebAssembly.validate(meterFuel(bytes, options))).toBe(true)
    for (const id of ['echo', 'primes', 'sha256', 'csv-to-json', 'gzip', 'lang-detect', 'faces', 'image', 'json-validate']) {
      const bytes = await sampleBytes(id)
      expect(WebAssembly.validate(meterFuel(bytes, options)), id).toBe(true)
    }
  })
})
