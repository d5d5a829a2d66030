/**
 * Decodes one instruction (core spec §5.4) far enough to step over it and to
 * tell the instrumenter how it affects control flow. Covers WebAssembly 2.0
 * (MVP, sign extension, non-trapping float-to-int, multi-value, reference
 * types, bulk memory, fixed-width and relaxed SIMD), tail calls, and the
 * multi-memory and memory64 immediates. Anything else — exception handling,
 * GC, threads, opcodes no proposal defines — throws
 * `UnsupportedInstructionError`, because its immediates are unknown.
 */
import { ByteReader, REFTYPE_NON_NULL, REFTYPE_NULLABLE, skipValType } from '../wasm-binary/index.ts'
import { UnsupportedInstructionError } from './errors.ts'

/** How an instruction affects the instrumenter's view of control flow. */
export const Flow = {
  /** Falls through to the next instruction. */
  plain: 0,
  /** `block`, `loop` or `if`: opens a label; the next instruction starts a basic block. */
  open: 1,
  /** `end`: closes a label (or the function body). */
  end: 2,
  /** `else`, a branch, `return` or a call: the next instruction starts a basic block. */
  boundary: 3
} as const
// The enum idiom: a value and its type share the name.
// eslint-disable-next-line @typescript-eslint/no-redeclare
export type Flow = typeof Flow[keyof typeof Flow]

// Immediate shapes of single-byte opcodes (§5.4.1–§5.4.7).
const UNSUPPORTED = 0
const NONE = 1
const BLOCKTYPE = 2
const U32 = 3
const TWO_U32 = 4
const BR_TABLE = 5
const MEMARG = 6
const S32 = 7
const S64 = 8
const F32 = 9
const F64 = 10
const SELECT_TYPES = 11
const HEAPTYPE = 12
const PREFIX_FC = 13
const PREFIX_FD = 14

const IMMEDIATES = new Uint8Array(256)
const FLOW = new Uint8Array(256)

function define (from: number, to: number, immediates: number, flow: Flow = Flow.plain): void {
  for (let op = from; op <= to; op++) {
    IMMEDIATES[op] = immediates
    FLOW[op] = flow
  }
}

// Control instructions, §5.4.1 (0x12/0x13 are tail calls).
define(0x00, 0x01, NONE) // unreachable, nop
define(0x02, 0x04, BLOCKTYPE, Flow.open) // block, loop, if
define(0x05, 0x05, NONE, Flow.boundary) // else
define(0x0b, 0x0b, NONE, Flow.end) // end
define(0x0c, 0x0d, U32, Flow.boundary) // br, br_if
define(0x0e, 0x0e, BR_TABLE, Flow.boundary) // br_table
define(0x0f, 0x0f, NONE, Flow.boundary) // return
define(0x10, 0x10, U32, Flow.boundary) // call
define(0x11, 0x11, TWO_U32, Flow.boundary) // call_indirect typeidx tableidx
define(0x12, 0x12, U32, Flow.boundary) // return_call
define(0x13, 0x13, TWO_U32, Flow.boundary) // return_call_indirect
// Parametric instructions, §5.4.2.
define(0x1a, 0x1b, NONE) // drop, select
define(0x1c, 0x1c, SELECT_TYPES) // select t*
// Variable and table instructions, §5.4.3–§5.4.4.
define(0x20, 0x26, U32) // local.get/set/tee, global.get/set, table.get/set
// Memory instructions, §5.4.6.
define(0x28, 0x3e, MEMARG) // loads and stores
define(0x3f, 0x40, U32) // memory.size, memory.grow: a memory index (0x00 in 1.0)
// Numeric instructions, §5.4.7.
define(0x41, 0x41, S32)
define(0x42, 0x42, S64)
define(0x43, 0x43, F32)
define(0x44, 0x44, F64)
define(0x45, 0xc4, NONE) // comparisons, arithmetic, conversions, sign extension (0xc0–0xc4)
// Reference instructions, §5.4.5.
define(0xd0, 0xd0, HEAPTYPE) // ref.null
define(0xd1, 0xd1, NONE) // ref.is_null
define(0xd2, 0xd2, U32) // ref.func
define(0xfc, 0xfc, PREFIX_FC)
define(0xfd, 0xfd, PREFIX_FD)

/** Immediates of the 0xFC-prefixed instructions 0–17 (§5.4.4, §5.4.6, §5.4.7). */
const FC_IMMEDIATES: readonly number[] = [
  NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, // i32/i64.trunc_sat_f32/f64_s/u
  TWO_U32, // memory.init dataidx memidx
  U32, // data.drop
  TWO_U32, // memory.copy memidx memidx
  U32, // memory.fill memidx
  TWO_U32, // table.init elemidx tableidx
  U32, // elem.drop
  TWO_U32, // table.copy
  U32, U32, U32 // table.grow, table.size, table.fill
]

// SIMD (§5.4.8) immediates beyond the opcode.
const SIMD_LANE = 15
const SIMD_MEMARG_LANE = 16
const SIMD_BYTES16 = 17

/** Immediates of the 0xFD-prefixed instructions, 0x00–0x113; UNSUPPORTED marks the gaps. */
const FD_IMMEDIATES = new Uint8Array(0x114).fill(NONE)
FD_IMMEDIATES.fill(MEMARG, 0x00, 0x0c) // v128.load…, load splat/extend, v128.store
FD_IMMEDIATES.fill(SIMD_BYTES16, 0x0c, 0x0e) // v128.const, i8x16.shuffle
FD_IMMEDIATES.fill(SIMD_LANE, 0x15, 0x23) // extract_lane / replace_lane
FD_IMMEDIATES.fill(SIMD_MEMARG_LANE, 0x54, 0x5c) // v128.load/store{8,16,32,64}_lane
FD_IMMEDIATES.fill(MEMARG, 0x5c, 0x5e) // v128.load32_zero, v128.load64_zero
for (const gap of [0x9a, 0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4, 0xe2, 0xee]) {
  FD_IMMEDIATES[gap] = UNSUPPORTED
}

/** Flag in a memarg's alignment field announcing a memory index (multi-memory proposal). */
const MEMARG_HAS_MEMORY_INDEX = 0x40

const hex = (op: number): string => `0x${op.toString(16).padStart(2, '0')}`

/** A block type (§5.4.1): 0x40, a value type, or a type index as s33. */
function skipBlockType (reader: ByteReader): void {
  const first = reader.bytes[reader.offset]
  if (first === REFTYPE_NULLABLE || first === REFTYPE_NON_NULL) skipValType(reader)
  else reader.skipLeb(5)
}

function skipMemarg (reader: ByteReader): void {
  const align = reader.u32()
  if ((align & MEMARG_HAS_MEMORY_INDEX) !== 0) reader.u32()
  reader.skipLeb() // offset: u32, or u64 under memory64
}

function skip (reader: ByteReader, immediates: number): void {
  switch (immediates) {
    case NONE: return
    case BLOCKTYPE: skipBlockType(reader); return
    case U32: reader.u32(); return
    case TWO_U32: reader.u32(); reader.u32(); return
    case BR_TABLE: {
      const count = reader.u32()
      for (let i = 0; i <= count; i++) reader.u32() // the labels, then the default
      return
    }
    case MEMARG: skipMemarg(reader); return
    case S32: reader.skipLeb(5); return
    case S64: reader.skipLeb(10); return
    case F32: reader.skip(4); return
    case F64: reader.skip(8); return
    case SELECT_TYPES: {
      const count = reader.u32()
      for (let i = 0; i < count; i++) skipValType(reader)
      return
    }
    case HEAPTYPE: reader.skipLeb(5); return
    case SIMD_LANE: reader.skip(1); return
    case SIMD_MEMARG_LANE: skipMemarg(reader); reader.skip(1); return
    case SIMD_BYTES16: reader.skip(16)
  }
}

/**
 * Reads the instruction at `reader.offset`, leaves the reader after it, and
 * returns its `Flow`. `functionIndex` only names the function in errors (-1:
 * a constant expression).
 */
export function readInstruction (reader: ByteReader, functionIndex: number): Flow {
  const op = reader.byte()
  let immediates = IMMEDIATES[op] as number
  if (immediates === PREFIX_FC || immediates === PREFIX_FD) {
    const sub = reader.u32()
    immediates = (immediates === PREFIX_FC ? FC_IMMEDIATES[sub] : FD_IMMEDIATES[sub]) ?? UNSUPPORTED
    if (immediates === UNSUPPORTED) throw unsupported(`${hex(op)} ${hex(sub)}`, functionIndex)
  } else if (immediates === UNSUPPORTED) {
    throw unsupported(hex(op), functionIndex)
  }
  skip(reader, immediates)
  return FLOW[op] as Flow
}

// Instructions that may trap (core spec §4.4; the execution rules that end in "trap"), by opcode: what
// the meter must make the fuel global exact before (instrument-body.ts). Erring towards "may trap" only
// costs a store; the calls (which may also trap) are checkpoints anyway.
const TRAPS = new Uint8Array(256)
TRAPS[0x00] = 1 // unreachable
TRAPS.fill(1, 0x11, 0x12) // call_indirect: undefined element, null, type mismatch
TRAPS.fill(1, 0x13, 0x14) // return_call_indirect
TRAPS.fill(1, 0x25, 0x27) // table.get, table.set: out of bounds
TRAPS.fill(1, 0x28, 0x3f) // loads and stores: out of bounds
TRAPS.fill(1, 0x6d, 0x71) // i32.div_s/u, i32.rem_s/u: division by zero, overflow
TRAPS.fill(1, 0x7f, 0x83) // i64.div_s/u, i64.rem_s/u
TRAPS.fill(1, 0xa8, 0xac) // i32.trunc_f32/f64_s/u: NaN or out of range
TRAPS.fill(1, 0xae, 0xb2) // i64.trunc_f32/f64_s/u

/** 0xFC instructions from 8 on: memory.init/copy/fill, table.init/copy/grow/size/fill (some cannot trap; counted anyway). */
const FC_FIRST_TRAPPING = 8
/** 0xFD instructions that access memory: v128 loads and stores (0x00–0x0b), lane loads and stores, load-zero (0x54–0x5d). */
const simdAccessesMemory = (sub: number): boolean => sub <= 0x0b || (sub >= 0x54 && sub <= 0x5d)

/**
 * Whether the instruction at `bytes[at]` (already read by `readInstruction`,
 * so well formed) may trap.
 */
export function mayTrap (bytes: Uint8Array, at: number, end: number): boolean {
  const op = bytes[at] as number
  if (op !== 0xfc && op !== 0xfd) return TRAPS[op] === 1
  const sub = new ByteReader(bytes, at + 1, end).u32()
  return op === 0xfc ? sub >= FC_FIRST_TRAPPING : simdAccessesMemory(sub)
}

/** `functionIndex` -1 stands for a constant expression (a global's, table's or element segment's initialiser). */
function unsupported (opcode: string, functionIndex: number): UnsupportedInstructionError {
  const where = functionIndex < 0 ? 'A constant expression' : `Function ${functionIndex}`
  return new UnsupportedInstructionError(`${where} uses instruction ${opcode}, which the fuel meter cannot decode`, opcode, functionIndex)
}
