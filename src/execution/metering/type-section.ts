/**
 * What the meter needs from the type and function sections (core spec
 * §5.5.4, §5.5.6): how many types there are (the growth hook's type takes the
 * next index) and how many parameters each defined function has (its first
 * declared local comes after them, §2.5.1, so the meter's own local, appended
 * after the declared ones, is numbered from both).
 */
import { InvalidModuleError } from '../errors.ts'
import {
  ARRAY_TYPE, type ByteReader, FUNC_TYPE, REC_GROUP, skipValType, STRUCT_TYPE, SUB_TYPE, SUB_TYPE_FINAL
} from '../wasm-binary/index.ts'

/** Marks a type index that is not a function type (a GC struct or array) in `readParamCounts`. */
export const NOT_A_FUNCTION_TYPE = -1

/**
 * The parameter count of every type the type section defines, in index
 * order: one per entry, n per recursive group of n (GC proposal);
 * `NOT_A_FUNCTION_TYPE` for struct and array types.
 */
export function readParamCounts (reader: ByteReader): number[] {
  const params: number[] = []
  const entries = reader.u32()
  for (let i = 0; i < entries; i++) {
    if (reader.bytes[reader.offset] === REC_GROUP) {
      reader.byte()
      const members = reader.u32()
      for (let j = 0; j < members; j++) params.push(readSubType(reader))
    } else {
      params.push(readSubType(reader))
    }
  }
  return params
}

/** How many types the type section defines. */
export function countTypes (reader: ByteReader): number {
  return readParamCounts(reader).length
}

/** One subtype (§5.3.6, GC proposal): its parameter count if it is a function type. */
function readSubType (reader: ByteReader): number {
  let form = reader.byte()
  if (form === SUB_TYPE || form === SUB_TYPE_FINAL) {
    const supertypes = reader.u32()
    for (let i = 0; i < supertypes; i++) reader.u32()
    form = reader.byte()
  }
  if (form === FUNC_TYPE) {
    const params = reader.u32()
    for (let i = 0; i < params; i++) skipValType(reader)
    const results = reader.u32()
    for (let i = 0; i < results; i++) skipValType(reader)
    return params
  }
  if (form === STRUCT_TYPE || form === ARRAY_TYPE) {
    const fields = form === ARRAY_TYPE ? 1 : reader.u32()
    for (let i = 0; i < fields; i++) {
      skipValType(reader) // a storage type: a value type, or the packed i8 (0x78) / i16 (0x77)
      reader.byte() // mutability
    }
    return NOT_A_FUNCTION_TYPE
  }
  throw new InvalidModuleError(`Unknown type form 0x${form.toString(16)}`)
}

/**
 * The parameter count of each defined function, from the function section
 * (§5.5.6: one type index per defined function) and the type section's counts.
 */
export function readFunctionParams (reader: ByteReader, typeParams: readonly number[]): number[] {
  const count = reader.u32()
  const params: number[] = []
  for (let i = 0; i < count; i++) {
    const type = reader.u32()
    const n = typeParams[type]
    if (n === undefined || n === NOT_A_FUNCTION_TYPE) throw new InvalidModuleError(`Function ${i} has type ${type}, which is not a function type`)
    params.push(n)
  }
  return params
}
