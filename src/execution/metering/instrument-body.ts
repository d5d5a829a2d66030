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
 * Every charge is checked: the block that overdraws the budget traps before
 * its first instruction runs, so a run finishes normally exactly when its
 * budget covers it, and a trap with the global below 0 is out of fuel.
 * (Checking only at loop heads and function entries would still bound a run
 * and keep the count exact, and measured ~10% faster on the primes sieve,
 * but a run could then end normally having overdrawn.)
 *
 * With a growth hook (growth-hook.ts), `call $hook` follows every
 * `memory.grow` (§5.4.6, opcode 0x40), and `call`, `return_call` and
 * `ref.func` name their function by its moved index. The inserted call is
 * meter code like the charge: it costs nothing and ends no basic block, since
 * blocks and their costs are counted over the original instructions only
 * (`memory.grow` falls through, so its block goes on after the call), and the
 * block's charge was paid on entry. So fuel is the same with the hook as
 * without, on every engine. (The host's hook returns nothing and never throws:
 * wasi-runner.ts.)
 */
import { InvalidModuleError } from '../errors.ts'
import { type ByteReader, ByteWriter, skipValType } from '../wasm-binary/index.ts'
import { CALL, type GrowthHook, namesFunction, writeMovedCall } from './growth-hook.ts'
import { Flow, readInstruction } from './instructions.ts'

// Opcodes of the charge sequence (§5.4.1, §5.4.4, §5.4.7).
const UNREACHABLE = 0x00
const BLOCK = 0x02
const IF = 0x04
const BLOCKTYPE_EMPTY = 0x40
const END = 0x0b
const GLOBAL_GET = 0x23
const GLOBAL_SET = 0x24
const I64_CONST = 0x42
const I64_LT_S = 0x53
const I64_SUB = 0x7d
const MEMORY_GROW = 0x40

/** The charge sequence, split around its one variable part, the cost. */
interface ChargeCode {
  /** `global.get $fuel; i64.const` */
  before: Uint8Array
  /** `i64.sub; global.set $fuel; global.get $fuel; i64.const 0; i64.lt_s; if; unreachable; end` */
  after: Uint8Array
}

export function chargeCode (fuelGlobal: number): ChargeCode {
  const index = new ByteWriter(8)
  index.u32(fuelGlobal)
  const g = [...index.view()]
  return {
    before: new Uint8Array([GLOBAL_GET, ...g, I64_CONST]),
    after: new Uint8Array([
      I64_SUB, GLOBAL_SET, ...g,
      GLOBAL_GET, ...g, I64_CONST, 0x00, I64_LT_S,
      IF, BLOCKTYPE_EMPTY, UNREACHABLE, END
    ])
  }
}

/**
 * Reads the body between `reader.offset` and `reader.end` and writes its
 * instrumented form, `size` prefix included, to `out`. Locals are copied
 * unchanged; so is every original instruction, byte for byte, except the
 * function indices a growth hook moves.
 */
export function instrumentBody (reader: ByteReader, charge: ChargeCode, functionIndex: number, out: ByteWriter, hook?: GrowthHook): void {
  const { bytes } = reader
  const body = new ByteWriter(2 * (reader.end - reader.offset) + 16)

  const localsStart = reader.offset
  const groups = reader.u32()
  for (let i = 0; i < groups; i++) {
    reader.u32()
    skipValType(reader)
  }
  body.bytes(bytes.subarray(localsStart, reader.offset))

  // The current block's instructions up to `copied`, as rewritten for the
  // hook; from `copied` on they are still to be copied as they are.
  const rewritten = new ByteWriter(64)
  let copied = reader.offset
  // The body is an `expr` (§5.4.9): instructions ending with the `end` that closes depth 1.
  let depth = 1
  let cost = 0
  while (depth > 0) {
    if (reader.done) throw new InvalidModuleError(`Function ${functionIndex} ends before its final \`end\``)
    const at = reader.offset
    const flow = readInstruction(reader, functionIndex)
    cost++
    if (hook !== undefined) {
      const op = bytes[at]
      if (namesFunction(op)) {
        rewritten.bytes(bytes.subarray(copied, at))
        writeMovedCall(bytes, at, reader.offset, hook, rewritten)
        copied = reader.offset
      } else if (op === MEMORY_GROW) {
        rewritten.bytes(bytes.subarray(copied, reader.offset))
        rewritten.byte(CALL)
        rewritten.u32(hook.index)
        copied = reader.offset
      }
    }
    if (flow === Flow.plain) continue
    if (flow === Flow.open) depth++
    else if (flow === Flow.end) depth--
    // `block` only opens a label: control always falls into its body, so the
    // basic block goes on through it (its label is reached at the matching `end`).
    if (bytes[at] === BLOCK) continue
    body.bytes(charge.before)
    body.s64(cost)
    body.bytes(charge.after)
    body.bytes(rewritten.view())
    body.bytes(bytes.subarray(copied, reader.offset))
    rewritten.clear()
    copied = reader.offset
    cost = 0
  }
  if (!reader.done) throw new InvalidModuleError(`Function ${functionIndex} has bytes after its final \`end\``)

  out.u32(body.length)
  out.bytes(body.view())
}
