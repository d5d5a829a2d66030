import { ConsoleStdout, File, OpenFile, WASI } from '@bjorn3/browser_wasi_shim'
import binaryen from 'binaryen'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  FUEL_GLOBAL_EXPORT, MEMORY_GROWTH_IMPORT_MODULE, MEMORY_GROWTH_IMPORT_NAME, meterFuel
} from '../../../src/execution/metering/index.ts'
import * as fixtures from '../../fixtures/wasm-modules.ts'
import { leb, name, section, vec } from '../../fixtures/wasm-modules.ts'
import { COMPILE_TIMEOUT_MS, ensureSamplesBuilt, sampleBytes } from './samples.ts'

// meterFuel(bytes, { reportMemoryGrowth: true }) imports a hook and calls it
// after every memory.grow. The import moves every defined function's index
// up by one, so these check that each place naming a function still names
// the same one, and that the fuel a module uses does not change.

const BUDGET = 10n ** 15n

interface Hooked {
  instance: WebAssembly.Instance
  /** How many times the module called the growth hook. */
  calls: () => number
  /** Fuel used so far. */
  used: () => bigint
}

/** Instantiates `meterFuel(bytes, { reportMemoryGrowth })` with a counting hook and the budget set. */
async function instantiate (bytes: Uint8Array, reportMemoryGrowth: boolean, imports: WebAssembly.Imports = {}): Promise<Hooked> {
  let calls = 0
  const hook = { [MEMORY_GROWTH_IMPORT_MODULE]: { [MEMORY_GROWTH_IMPORT_NAME]: () => { calls++ } } }
  const metered = meterFuel(bytes, { reportMemoryGrowth })
  const { instance } = await WebAssembly.instantiate(metered, { ...imports, ...(reportMemoryGrowth ? hook : {}) })
  const fuel = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global<'i64'>
  fuel.value = BUDGET
  return { instance, calls: () => calls, used: () => BUDGET - fuel.value }
}

/** Calls export `name` on the hooked and the plain metered module: same result, same fuel. */
async function sameWithHook (bytes: Uint8Array, name: string, args: number[] = [], imports: WebAssembly.Imports = {}): Promise<{ result: unknown, used: bigint, calls: number }> {
  const plain = await instantiate(bytes, false, imports)
  const hooked = await instantiate(bytes, true, imports)
  const call = (m: Hooked): unknown => (m.instance.exports[name] as (...a: number[]) => unknown)(...args)
  const expected = call(plain)
  expect(call(hooked)).toEqual(expected)
  expect(hooked.used()).toBe(plain.used())
  return { result: expected, used: hooked.used(), calls: hooked.calls() }
}

/** WAT assembled by Binaryen with every feature on and, with `names`, a name section. */
function wat (text: string, names = false): Uint8Array<ArrayBuffer> {
  const module = binaryen.parseText(text)
  try {
    module.setFeatures(binaryen.Features.All)
    if (module.validate() === 0) throw new Error('test module does not validate')
    binaryen.setDebugInfo(names)
    return new Uint8Array(module.emitBinary())
  } finally {
    binaryen.setDebugInfo(false)
    module.dispose()
  }
}

// A hand-encoded module (core spec §5) for the forms Binaryen does not emit:
// element segments of every flag value 0–7 (§5.5.12) and a table with an
// initialiser expression (function-references proposal).
const FUNCREF = 0x70
const END = 0x0b
const i32Const = (n: number): number[] => [0x41, n] // 0 ≤ n < 64: one byte of signed LEB128
const refFunc = (f: number): number[] => [0xd2, ...leb(f), END]

/**
 * Function 0 is imported (`env.f`); 1, 2, 3 return 11, 22, 33; `pick0(i)`
 * and `pick1(i)` call table 0 or 1 at i; `init()` copies passive segment 3
 * into table 0 at 4; `fromGlobal()` stores the funcref global in table 0 at 5.
 */
function everyElementForm (): Uint8Array {
  const [a, b, c, pick0, pick1, init, fromGlobal] = [1, 2, 3, 4, 5, 6, 7]
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0x00, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x01, 0x7f]])), // type 0: [] → [i32]; 1: [i32] → [i32]
    ...section(2, vec([[...name('env'), ...name('f'), 0x00, 0]])),
    ...section(3, vec([[0], [0], [0], [1], [1], [0], [0]])),
    ...section(4, vec([
      [FUNCREF, 0x00, 8],
      [0x40, 0x00, FUNCREF, 0x00, 2, ...refFunc(b)] // table 1: two elements, each initialised to b
    ])),
    ...section(6, vec([[FUNCREF, 0x00, ...refFunc(c)]])), // an immutable funcref global = c
    ...section(7, vec([
      [...name('a'), 0x00, a], [...name('pick0'), 0x00, pick0], [...name('pick1'), 0x00, pick1],
      [...name('init'), 0x00, init], [...name('fromGlobal'), 0x00, fromGlobal]
    ])),
    ...section(9, vec([
      [0x00, ...i32Const(3), END, ...vec([[c]])], // 0: active, table 0, function indices
      [0x01, 0x00, ...vec([[b]])], // 1: passive, function indices
      [0x02, 0x00, ...i32Const(0), END, 0x00, ...vec([[a]])], // 2: active, explicit table, function indices
      [0x05, FUNCREF, ...vec([refFunc(a), [0xd0, FUNCREF, END]])], // 5: passive, expressions (segment 3)
      [0x03, 0x00, ...vec([[c]])], // 3: declarative, function indices
      [0x04, ...i32Const(1), END, ...vec([refFunc(b)])], // 4: active, table 0, expressions
      [0x06, 0x00, ...i32Const(2), END, FUNCREF, ...vec([refFunc(c)])], // 6: active, explicit table, expressions
      [0x07, FUNCREF, ...vec([refFunc(a)])] // 7: declarative, expressions
    ])),
    ...section(10, vec([
      [0x00, ...i32Const(11), END],
      [0x00, ...i32Const(22), END],
      [0x00, ...i32Const(33), END],
      [0x00, 0x20, 0x00, 0x11, 0x00, 0x00, END], // call_indirect type 0, table 0
      [0x00, 0x20, 0x00, 0x11, 0x00, 0x01, END], // call_indirect type 0, table 1
      [0x00, ...i32Const(4), ...i32Const(0), ...i32Const(2), 0xfc, 12, 3, 0, ...i32Const(0), END], // table.init 3 0
      [0x00, ...i32Const(5), 0x23, 0x00, 0x26, 0x00, ...i32Const(0), END] // table.set 0 (global.get 0)
    ].map(body => [...leb(body.length), ...body])))
  ])
}

describe('meterFuel with reportMemoryGrowth: the hook', () => {
  it('is imported after the module\'s own imports, with type [] -> []', () => {
    const module = new WebAssembly.Module(meterFuel(fixtures.importsSockSend(), { reportMemoryGrowth: true }))
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'wasi_snapshot_preview1', name: 'sock_send', kind: 'function' },
      { module: MEMORY_GROWTH_IMPORT_MODULE, name: MEMORY_GROWTH_IMPORT_NAME, kind: 'function' }
    ])
  })

  it('creates the type and import sections when the module has none', async () => {
    const bytes = meterFuel(fixtures.emptyModule(), { reportMemoryGrowth: true })
    expect(WebAssembly.validate(bytes)).toBe(true)
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toHaveLength(1)
  })

  it('is called after every memory.grow, which still returns the old size, at no cost in fuel', async () => {
    const bytes = wat(`(module
      (memory (export "memory") 1)
      (func (export "grow") (param $n i32) (result i32)
        (local $last i32)
        (loop $more
          (local.set $last (memory.grow (i32.const 1)))
          (br_if $more (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $last)))`)
    const { result, calls } = await sameWithHook(bytes, 'grow', [5])
    expect(result).toBe(5) // the size before the fifth grow: 1 + 4 pages
    expect(calls).toBe(5)
  })

  it('is called after a memory.grow by 0 too (the host reports only growth), and never without one', async () => {
    expect((await sameWithHook(fixtures.memoryOps(), 'f0', [7])).calls).toBe(1)
    expect((await sameWithHook(fixtures.callChain(), 'f0')).calls).toBe(0)
  })
})

describe('meterFuel with reportMemoryGrowth: every function index moves, fuel stays', () => {
  it('the known-fuel fixtures give the same results and the same fuel', async () => {
    expect(await sameWithHook(fixtures.straightLine(), 'f0')).toMatchObject({ result: 3, used: 4n })
    expect(await sameWithHook(fixtures.countdownLoop(), 'f0', [10])).toMatchObject({ used: 86n })
    for (const n of [0, 1, 2, 99]) await sameWithHook(fixtures.branchTable(), 'f0', [n])
    expect(await sameWithHook(fixtures.nestedBreak(), 'f0')).toMatchObject({ used: 6n })
    expect(await sameWithHook(fixtures.blockTypeIndex(), 'f0')).toMatchObject({ result: 5, used: 4n })
    for (const n of [0, 1]) await sameWithHook(fixtures.ifElse(), 'f0', [n])
    expect(await sameWithHook(fixtures.callChain(), 'f0')).toMatchObject({ result: 43, used: 8n }) // `call`
    expect(await sameWithHook(fixtures.simdOps(), 'f0')).toMatchObject({ used: 24n })
    expect(await sameWithHook(fixtures.bulkAndReferenceOps(), 'f0')).toMatchObject({ used: 51n }) // `ref.func` in code
    const imports = { env: { g: new WebAssembly.Global({ value: 'i32', mutable: true }, 10) } }
    expect(await sameWithHook(fixtures.withGlobals(), 'f0', [], imports)).toMatchObject({ result: 15, used: 6n })
  })

  it('the start function', async () => {
    // It runs before the host sets a budget, so it traps; had the start index stayed, it would call the hook.
    await expect(instantiate(fixtures.withStart(), true)).rejects.toThrow(WebAssembly.RuntimeError)
  })

  it('exports, element segments of all eight forms, a table initialiser and a global initialiser', async () => {
    const bytes = everyElementForm()
    const imports = { env: { f: () => 99 } }
    expect((await sameWithHook(bytes, 'a', [], imports)).result).toBe(11)
    for (const [i, value] of [[0, 11], [1, 22], [2, 33], [3, 33]]) {
      expect((await sameWithHook(bytes, 'pick0', [i as number], imports)).result).toBe(value)
    }
    expect((await sameWithHook(bytes, 'pick1', [1], imports)).result).toBe(22)
    const { instance } = await instantiate(bytes, true, imports)
    const call = (name: string, ...args: number[]): unknown => (instance.exports[name] as (...a: number[]) => unknown)(...args)
    call('init')
    expect(call('pick0', 4)).toBe(11)
    expect(() => call('pick0', 5)).toThrow(WebAssembly.RuntimeError) // the segment's second element is null
    call('fromGlobal')
    expect(call('pick0', 5)).toBe(33)
  })

  it('the name section: a trap names the function that trapped', async () => {
    const bytes = wat(`(module
      (import "env" "f" (func $imported))
      (memory (export "memory") 1)
      (func $first (export "first") (call $boom))
      (func $boom unreachable))`, true)
    const stackOf = async (reportMemoryGrowth: boolean): Promise<string> => {
      const { instance } = await instantiate(bytes, reportMemoryGrowth, { env: { f: () => {} } })
      try {
        (instance.exports.first as () => void)()
      } catch (err) {
        return (err as Error).stack ?? ''
      }
      throw new Error('expected a trap')
    }
    expect(await stackOf(false)).toMatch(/boom/)
    const hooked = await stackOf(true)
    expect(hooked).toMatch(/boom/)
    expect(hooked).toMatch(/first/)
  })

  it('drops a malformed name section instead of failing', () => {
    const bytes = fixtures.straightLine()
    const broken = new Uint8Array([...bytes, ...section(0, [...name('name'), 0x01, 0x05, 0x02, 0x00])])
    const metered = meterFuel(broken, { reportMemoryGrowth: true })
    expect(WebAssembly.validate(metered)).toBe(true)
    expect(WebAssembly.Module.customSections(new WebAssembly.Module(metered), 'name')).toHaveLength(0)
  })
})

describe('meterFuel with reportMemoryGrowth: the samples', () => {
  const SAMPLES: Array<[string, string]> = [
    ['echo', 'Hello from ZeroState!\n'],
    ['sha256', 'hello world'],
    ['text-stats', 'The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the fox runs.\n'],
    ['sentiment', 'I love how fast and reliable this is, though the setup was not easy.\n'],
    ['primes', '1000000']
  ]
  const samples = new Map<string, Uint8Array>()

  beforeAll(async () => {
    await ensureSamplesBuilt()
    for (const [id] of SAMPLES) samples.set(id, await sampleBytes(id))
  }, COMPILE_TIMEOUT_MS)

  /** Runs the sample metered, with or without the hook: stdout, fuel used, hook calls, final memory size. */
  async function run (id: string, stdin: string, reportMemoryGrowth: boolean): Promise<{ stdout: string, used: bigint, calls: number, memoryBytes: number }> {
    const chunks: Uint8Array[] = []
    const wasi = new WASI(['task'], [], [
      new OpenFile(new File(new TextEncoder().encode(stdin), { readonly: true })),
      new ConsoleStdout(chunk => { chunks.push(chunk) }),
      new ConsoleStdout(() => {})
    ], { debug: false })
    const { instance, calls, used } = await instantiate(samples.get(id) as Uint8Array, reportMemoryGrowth, { wasi_snapshot_preview1: wasi.wasiImport })
    wasi.start(instance as Parameters<WASI['start']>[0])
    const memory = instance.exports.memory as WebAssembly.Memory
    return { stdout: Buffer.concat(chunks).toString('utf8'), used: used(), calls: calls(), memoryBytes: memory.buffer.byteLength }
  }

  it.each(SAMPLES)('%s: the same output and the same fuel as metered without the hook', async (id, stdin) => {
    const plain = await run(id, stdin, false)
    const hooked = await run(id, stdin, true)
    expect(hooked.stdout).toBe(plain.stdout)
    expect(hooked.used).toBe(plain.used)
    expect(hooked.memoryBytes).toBe(plain.memoryBytes)
    expect(plain.calls).toBe(0)
  })

  it('primes of 1,000,000 grows its memory, and calls the hook each time', async () => {
    const hooked = await run('primes', '1000000', true)
    expect(hooked.stdout).toContain('primes: 78498')
    expect(hooked.calls).toBeGreaterThan(0)
  })
})
