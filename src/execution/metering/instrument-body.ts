/**
 * Rewrites one function body (core spec §5.5.13 `code`) so it charges fuel
 * at the start of every basic block.
 *
 * Cost model: every instruction of the original body costs 1 unit; the
 * instructions the meter inserts cost nothing. A basic block starts at the
 * body's entry and after every instruction that is a branch target or may
 * transfer control (`loop`, `if`, `else`, `end`, `br`, `br_if`,
 * `br_table`, `return`, and calls, which return into a new block). Its cost
 * is the number of instructions in it up to and including the one that ends
 * it, charged in full on entry — also when a branch leaves it early — so the
 * fuel used depends only on the path taken, never on the engine. `block`
 * itself ends no basic block: nothing can branch to its start (its label is
 * at its `end`), so control always falls through it, and charging its body
 * with the code before it changes no run's fuel — only how often the meter
 * runs (compiled C opens blocks in runs of several: csv-to-json's metering
 * overhead went from 1.6× to 1.35× of the unmetered run in Node).
 *
 * Where the count lives. The remaining fuel is kept in a local of each
 * function (`$fuel`, an i64 appended to its locals), which the engine keeps
 * in a register: a charge is `local.get; i64.const cost; i64.sub; local.set`
 * where the meter before December 2026 read, wrote, re-read and compared the
 * exported global at every basic block (primes: 1.75× of the unmetered run
 * in Node, now about 1.1×). The local is loaded from the global at
 * function entry and after every call (the callee charged the global), and
 * stored back to it before every call and every way out, so the global is
 * exact whenever anything outside the function can look. This is how
 * wasmtime keeps its fuel (crates/cranelift/src/func_environ.rs: a Cranelift
 * variable, `fuel_load_into_var` at entry and after calls,
 * `fuel_save_from_var` before calls and returns); wasm-instrument's gas
 * injector, like the old meter, updates its mutable global in every
 * metering block.
 *
 * Where the count is checked: at checkpoints, as wasmtime checks at function
 * entries and loop headers — the first block of every `loop` (every
 * back-edge lands there), every call (host calls, WASI, included: nothing
 * leaves the module with the budget overdrawn), every way out of the
 * function (`return`, a branch to the body's own label, its final `end`,
 * tail calls) and every `memory.grow`. A check traps (`unreachable`) when the
 * count is below zero, storing it to the global first. Between two
 * checkpoints a run goes straight through a bounded stretch of code, so it
 * always reaches one; and the count only falls, so a run ends normally
 * exactly when its budget covers it, with the same fuel used as before.
 *
 * What moved is the trap point of a run that overdraws: the old meter
 * trapped at the block that overdrew, this one at the next checkpoint.
 * Nothing the host sees differs: every WASI call and every memory growth is
 * behind a checkpoint, so output, files and memory peak are those of the old
 * trap point, and the runner reports the budget itself as the fuel used of
 * an out-of-fuel run, as before. Only a trap that is not the meter's,
 * between the overdraw or a charge and the next checkpoint, can find the
 * global behind the local; so the pool runs a module that trapped once more,
 * metered with `exactAtTraps` (worker-pool.ts): the count is then also
 * stored before every instruction that may trap (`mayTrap`), which leaves the
 * global exactly where the old meter left it at any trap, the meter's own
 * or not — below zero when the run had overdrawn, which the runner reports
 * as out of fuel as the old meter's trap was. fuel-figures.test.ts holds
 * both to figures taken with the old meter: completed runs, out-of-fuel at
 * many budgets, traps.
 *
 * With a growth hook (growth-hook.ts), `call $hook` follows every
 * `memory.grow` (§5.4.6, opcode 0x40), and `call`, `return_call` and
 * `ref.func` name their function by its moved index. The inserted call is
 * meter code like the charge: it costs nothing and ends no basic block, since
 * blocks and their costs are counted over the original instructions only
 * (`memory.grow` falls through, so its block goes on after the call), and the
 * block's charge was paid on entry. So fuel is the same with the hook as
 * without, on every engine. (The host's hook returns nothing, never throws,
 * and does not touch the fuel global: wasi-runner.ts.)
 */
import { InvalidModuleError } from '../errors.ts'
import { ByteReader, ByteWriter, skipValType, VALTYPE_I64 } from '../wasm-binary/index.ts'
import { CALL, type GrowthHook, namesFunction, RETURN_CALL, writeMovedCall } from './growth-hook.ts'
import { Flow, mayTrap, readInstruction } from './instructions.ts'

// Opcodes the meter reads or writes (§5.4.1, §5.4.3, §5.4.6, §5.4.7).
const UNREACHABLE = 0x00
const BLOCK = 0x02
const LOOP = 0x03
const IF = 0x04
const BLOCKTYPE_EMPTY = 0x40
const END = 0x0b
const BR = 0x0c
const BR_IF = 0x0d
const BR_TABLE = 0x0e
const RETURN = 0x0f
const CALL_INDIRECT = 0x11
const RETURN_CALL_INDIRECT = 0x13
const LOCAL_GET = 0x20
const LOCAL_SET = 0x21
const GLOBAL_GET = 0x23
const GLOBAL_SET = 0x24
const I64_CONST = 0x42
const I64_LT_S = 0x53
const I64_SUB = 0x7d
const MEMORY_GROW = 0x40

/** How a basic block is entered, which decides how its charge reads the count. */
const Entry = {
  /** From the block before, in the same function: the local holds the count. */
  local: 0,
  /** At function entry or right after a call: the count is read from the global. */
  global: 1,
  /** At a loop header: as `local`, and the charge is followed by a check. */
  loop: 2
} as const
// The enum idiom: a value and its type share the name.
// eslint-disable-next-line @typescript-eslint/no-redeclare
type Entry = typeof Entry[keyof typeof Entry]

/** The meter's code for one module: everything but the cost and the local's index, which vary. */
export class MeterCode {
  /** The fuel global's index, LEB128. */
  private readonly global: Uint8Array
  /** Also store the count before every instruction that may trap (`MeterFuelOptions.exactAtTraps`). */
  readonly exactAtTraps: boolean

  constructor (fuelGlobal: number, exactAtTraps: boolean) {
    this.exactAtTraps = exactAtTraps
    const index = new ByteWriter(8)
    index.u32(fuelGlobal)
    this.global = index.toBytes()
  }

  /** `(global.get $fuel | local.get $fuel) i64.const cost i64.sub local.set $fuel`. */
  charge (out: ByteWriter, local: number, cost: number, fromGlobal: boolean): void {
    if (fromGlobal) {
      out.byte(GLOBAL_GET)
      out.bytes(this.global)
    } else {
      out.byte(LOCAL_GET)
      out.u32(local)
    }
    out.byte(I64_CONST)
    out.s64(cost)
    out.byte(I64_SUB)
    out.byte(LOCAL_SET)
    out.u32(local)
  }

  /** `local.get $fuel global.set $fuel`: the global catches up with the local. */
  store (out: ByteWriter, local: number): void {
    out.byte(LOCAL_GET)
    out.u32(local)
    out.byte(GLOBAL_SET)
    out.bytes(this.global)
  }

  /**
   * `local.get $fuel i64.const 0 i64.lt_s if (local.get $fuel global.set $fuel) unreachable end`:
   * traps when the budget is overdrawn, leaving the overdrawn count in the global for the host.
   */
  check (out: ByteWriter, local: number): void {
    out.byte(LOCAL_GET)
    out.u32(local)
    out.bytes([I64_CONST, 0x00, I64_LT_S, IF, BLOCKTYPE_EMPTY])
    this.store(out, local)
    out.bytes([UNREACHABLE, END])
  }
}

/** Whether instruction `op` at `at` leaves the function: `return`, or a branch to the body's own label (`depth - 1`). */
function exits (bytes: Uint8Array, at: number, end: number, op: number, depth: number): boolean {
  if (op === RETURN || op === RETURN_CALL || op === RETURN_CALL_INDIRECT) return true
  if (op !== BR && op !== BR_IF && op !== BR_TABLE) return false
  const immediates = new ByteReader(bytes, at + 1, end)
  const labels = op === BR_TABLE ? immediates.u32() + 1 : 1 // br_table: the labels, then the default
  for (let i = 0; i < labels; i++) if (immediates.u32() === depth - 1) return true
  return false
}

const isCall = (op: number): boolean => op === CALL || op === CALL_INDIRECT || op === RETURN_CALL || op === RETURN_CALL_INDIRECT

/**
 * Reads the body between `reader.offset` and `reader.end` and writes its
 * instrumented form, `size` prefix included, to `out`. `params` is the
 * function's parameter count: the meter's local goes after the parameters
 * and the declared locals (§2.5.1), which are copied unchanged; so is every
 * original instruction, byte for byte, except the function indices a growth
 * hook moves.
 */
export function instrumentBody (reader: ByteReader, meter: MeterCode, functionIndex: number, params: number, out: ByteWriter, hook?: GrowthHook): void {
  const { bytes } = reader
  const body = new ByteWriter(2 * (reader.end - reader.offset) + 32)

  // Locals (§5.5.13): the declared groups, then one more group of one i64, the count.
  const groups = reader.u32()
  const groupsStart = reader.offset
  let local = params
  for (let i = 0; i < groups; i++) {
    local += reader.u32()
    skipValType(reader)
  }
  body.u32(groups + 1)
  body.bytes(bytes.subarray(groupsStart, reader.offset))
  body.u32(1)
  body.byte(VALTYPE_I64)

  // The current basic block as it will be written, up to `copied`; the
  // original bytes from `copied` on are still to be copied as they are.
  const block = new ByteWriter(64)
  let copied = reader.offset
  const copyUpTo = (offset: number): void => {
    block.bytes(bytes.subarray(copied, offset))
    copied = offset
  }
  // The body is an `expr` (§5.4.9): instructions ending with the `end` that closes depth 1.
  let depth = 1
  let cost = 0
  let entry: Entry = Entry.global
  // Whether the global already holds this block's charge.
  let stored = false
  while (depth > 0) {
    if (reader.done) throw new InvalidModuleError(`Function ${functionIndex} ends before its final \`end\``)
    const at = reader.offset
    const flow = readInstruction(reader, functionIndex)
    const op = bytes[at] as number
    cost++
    // Checkpoints before the instruction: calls, ways out (the global must be
    // exact for the callee or caller), memory growth; and the global made
    // exact before anything that may trap.
    const checkpoint = isCall(op) || op === MEMORY_GROW || (flow === Flow.end && depth === 1) || exits(bytes, at, reader.offset, op, depth)
    if (!stored && (checkpoint || (meter.exactAtTraps && mayTrap(bytes, at, reader.offset)))) {
      copyUpTo(at)
      meter.store(block, local)
      stored = true
    }
    if (checkpoint) {
      copyUpTo(at)
      meter.check(block, local)
    }
    if (hook !== undefined && namesFunction(op)) {
      copyUpTo(at)
      writeMovedCall(bytes, at, reader.offset, hook, block)
      copied = reader.offset
    } else if (hook !== undefined && op === MEMORY_GROW) {
      copyUpTo(reader.offset)
      block.byte(CALL)
      block.u32(hook.index)
    }
    if (flow === Flow.plain) continue
    if (flow === Flow.open) depth++
    else if (flow === Flow.end) depth--
    // `block` only opens a label: control always falls into its body, so the
    // basic block goes on through it (its label is reached at the matching `end`).
    if (op === BLOCK) continue
    copyUpTo(reader.offset)
    meter.charge(body, local, cost, entry === Entry.global)
    if (entry === Entry.loop) meter.check(body, local)
    body.bytes(block.view())
    block.clear()
    cost = 0
    stored = false
    entry = isCall(op) ? Entry.global : op === LOOP ? Entry.loop : Entry.local
  }
  if (!reader.done) throw new InvalidModuleError(`Function ${functionIndex} has bytes after its final \`end\``)

  out.u32(body.length)
  out.bytes(body.view())
}
