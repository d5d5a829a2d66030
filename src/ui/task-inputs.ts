/**
 * Pure parsing of the submit form's advanced fields (memory, fuel, price
 * cap, seed, environment, input files, how the executor is chosen): no DOM,
 * so each rule is unit-testable
 * (test/unit/ui/task-inputs.test.ts). The limits are the ones the task
 * protocol enforces (`validateOffer`), checked here first so the form can say
 * what is wrong in words before anything is sent.
 */
import {
  DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE, DEFAULT_MEMORY_LIMIT_BYTES, MAX_ARGS_AND_ENV_BYTES, MAX_ENV_ENTRIES, MAX_ENV_NAME_BYTES,
  MAX_ENV_VALUE_BYTES, MAX_FILE_PATH_BYTES, MAX_FUEL, MAX_INPUT_FILES_BYTES, MAX_MEMORY_LIMIT_BYTES,
  MAX_TASK_FILES, TASK_SEED_BYTES
} from '../app/index.ts'
import { formatBytes, formatCount } from './view-format.ts'

/** A parsed field, or the sentence that says what is wrong with it. */
export type Parsed<T> = { ok: true, value: T } | { ok: false, error: string }

const MIB = 1024 * 1024
export const MIN_MEMORY_MIB = 1
export const MAX_MEMORY_MIB = MAX_MEMORY_LIMIT_BYTES / MIB
export const DEFAULT_MEMORY_MIB = DEFAULT_MEMORY_LIMIT_BYTES / MIB
export { DEFAULT_FUEL, DEFAULT_MAX_TOTAL_PRICE }

const utf8 = new TextEncoder()
const byteLength = (text: string): number => utf8.encode(text).byteLength

/** The memory field: a whole number of MiB from 1 to 128, as bytes. */
export function parseMemoryMib (input: string): Parsed<number> {
  const text = input.trim()
  const mib = Number(text)
  if (text === '' || !/^\d+$/.test(text) || mib < MIN_MEMORY_MIB || mib > MAX_MEMORY_MIB) {
    return { ok: false, error: `Memory limit must be a whole number of MiB from ${MIN_MEMORY_MIB} to ${MAX_MEMORY_MIB}.` }
  }
  return { ok: true, value: mib * MIB }
}

/**
 * The fuel field: empty for the default budget, else a whole number of metered
 * instructions. Digit-group separators (`,` `_` `'` and spaces) are allowed, so
 * `50,000,000` can be pasted as it is shown.
 */
export function parseFuel (input: string): Parsed<number | undefined> {
  const text = input.replace(/[\s,_']/g, '')
  if (text === '') return { ok: true, value: undefined }
  const fuel = Number(text)
  if (!/^\d+$/.test(text)) return { ok: false, error: 'Fuel must be a whole number of instructions, or empty for the default.' }
  if (!Number.isSafeInteger(fuel) || fuel > MAX_FUEL) return { ok: false, error: `Fuel can be at most ${formatCount(MAX_FUEL)}.` }
  return { ok: true, value: fuel }
}

/**
 * The "Max total price" field: empty for the app's default budget, else a
 * whole number of micro-units (the executor's charge is capped by it).
 * Digit-group separators are allowed, as for fuel.
 */
export function parseMaxTotalPrice (input: string): Parsed<number | undefined> {
  const text = input.replace(/[\s,_']/g, '')
  if (text === '') return { ok: true, value: undefined }
  if (!/^\d+$/.test(text)) return { ok: false, error: 'Max total price must be a whole number of µ (micro-units), or empty for the default.' }
  const value = Number(text)
  if (!Number.isSafeInteger(value)) return { ok: false, error: `Max total price can be at most ${formatCount(Number.MAX_SAFE_INTEGER)} µ.` }
  return { ok: true, value }
}

/**
 * The seed field: empty for a random seed, else exactly 64 hex digits (32
 * bytes). Case and whitespace do not matter, so a seed pasted in groups or
 * across lines reads the same.
 */
export function parseSeedHex (input: string): Parsed<Uint8Array | undefined> {
  const text = input.replace(/\s/g, '')
  if (text === '') return { ok: true, value: undefined }
  const digits = TASK_SEED_BYTES * 2
  const bad = text.search(/[^0-9a-fA-F]/)
  if (bad !== -1) {
    return { ok: false, error: `Seed must be ${digits} hex digits (0–9, a–f); "${text[bad]}" at position ${bad + 1} is not one.` }
  }
  if (text.length !== digits) {
    return { ok: false, error: `Seed must be exactly ${digits} hex digits (${TASK_SEED_BYTES} bytes); got ${text.length}.` }
  }
  const seed = new Uint8Array(TASK_SEED_BYTES)
  for (let i = 0; i < TASK_SEED_BYTES; i++) seed[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16)
  return { ok: true, value: seed }
}

/**
 * The environment field: one `NAME=value` per line, split at the first `=`, so
 * values may contain `=`. Blank lines are skipped and a trailing `\r` (pasted
 * Windows text) dropped; values are otherwise kept exactly, spaces included.
 * Names are 1–256 bytes without `=` or whitespace, each given once.
 */
export function parseEnvLines (input: string): Parsed<Array<[string, string]>> {
  const env: Array<[string, string]> = []
  const lineOf = new Map<string, number>()
  const lines = input.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '')
    if (line.trim() === '') continue
    const where = `Environment line ${i + 1}`
    const eq = line.indexOf('=')
    if (eq === -1) return { ok: false, error: `${where} ("${clip(line)}") has no "="; write NAME=value.` }
    const name = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (name === '') return { ok: false, error: `${where} has no name before "="; write NAME=value.` }
    if (/\s/.test(name)) return { ok: false, error: `${where}: the name "${clip(name)}" contains a space; names cannot.` }
    if (byteLength(name) > MAX_ENV_NAME_BYTES) return { ok: false, error: `${where}: the name is longer than ${MAX_ENV_NAME_BYTES} bytes.` }
    if (byteLength(value) > MAX_ENV_VALUE_BYTES) return { ok: false, error: `${where}: the value of ${clip(name)} is longer than ${MAX_ENV_VALUE_BYTES} bytes.` }
    // WASI hands the environment to the module as NUL-terminated strings.
    if (line.includes('\0')) return { ok: false, error: `${where} contains a NUL character.` }
    const first = lineOf.get(name)
    if (first !== undefined) return { ok: false, error: `${where}: ${clip(name)} is already set on line ${first}.` }
    lineOf.set(name, i + 1)
    env.push([name, value])
  }
  if (env.length > MAX_ENV_ENTRIES) {
    return { ok: false, error: `${env.length} environment variables; the limit is ${MAX_ENV_ENTRIES}.` }
  }
  return { ok: true, value: env }
}

/** Why args and environment together are too long for a task, or undefined when they fit. */
export function argsAndEnvProblem (args: readonly string[], env: ReadonlyArray<readonly [string, string]>): string | undefined {
  const total = [...args, ...env.flat()].reduce((sum, text) => sum + byteLength(text), 0)
  if (total <= MAX_ARGS_AND_ENV_BYTES) return undefined
  return `Arguments and environment together are ${sizeOverLimit(total, MAX_ARGS_AND_ENV_BYTES)} of UTF-8.`
}

/**
 * Why the chosen input files cannot be sent, or undefined. Each is placed in
 * /work under its own name (a file picker gives names without directories).
 */
export function inputFilesProblem (files: ReadonlyArray<{ name: string, size: number }>): string | undefined {
  if (files.length > MAX_TASK_FILES) return `${files.length} input files; the limit is ${MAX_TASK_FILES}.`
  const seen = new Set<string>()
  let total = 0
  for (const { name, size } of files) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      return `Input file name "${clip(name)}" cannot be used as a file name in /work.`
    }
    if (byteLength(name) > MAX_FILE_PATH_BYTES) return `Input file name "${clip(name)}" is longer than ${MAX_FILE_PATH_BYTES} bytes.`
    if (seen.has(name)) return `Two input files are named "${clip(name)}"; each needs its own name in /work.`
    seen.add(name)
    total += size
  }
  if (total > MAX_INPUT_FILES_BYTES) {
    return `Input files total ${sizeOverLimit(total, MAX_INPUT_FILES_BYTES)}.`
  }
  return undefined
}

/** `9.0 KiB; the limit is 8.0 KiB`, in exact bytes when rounding would make both look the same. */
function sizeOverLimit (size: number, limit: number): string {
  return formatBytes(size) === formatBytes(limit)
    ? `${formatCount(size)} bytes; the limit is ${formatCount(limit)} bytes`
    : `${formatBytes(size)}; the limit is ${formatBytes(limit)}`
}

function clip (text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

/**
 * How the executor is chosen: the app's default (Agent Cards and routing),
 * a sealed-bid auction among the best-ranked candidates (docs/bids.md), or
 * several executors with the strict majority's result kept.
 */
export type ExecutorChoice = 'best-match' | 'auction' | 'redundancy'

export const DEFAULT_EXECUTOR_CHOICE: ExecutorChoice = 'best-match'
/** Executors a redundant run uses: three, so one wrong result is outvoted. */
export const REDUNDANT_EXECUTORS = 3

/** The choices in the order the form lists them, each with its label and the hint shown under it. */
export const EXECUTOR_CHOICES: ReadonlyArray<{ value: ExecutorChoice, label: string, hint: string }> = [
  {
    value: 'best-match',
    label: 'Best match (Agent Cards and routing)',
    hint: 'The peer whose Agent Card fits and whose past times are best runs it.'
  },
  {
    value: 'auction',
    label: 'Sealed bids from the 3 best-ranked (second price)',
    hint: 'The cheapest bid wins at the second-lowest price, which becomes the task\'s budget.'
  },
  {
    value: 'redundancy',
    label: 'Three executors, majority wins',
    hint: `Runs on ${REDUNDANT_EXECUTORS} executors and keeps the result a strict majority returns; only they are paid.`
  }
]

/** The select's value as a choice; anything unknown is the default. */
export function parseExecutorChoice (input: string): ExecutorChoice {
  return EXECUTOR_CHOICES.find((c) => c.value === input)?.value ?? DEFAULT_EXECUTOR_CHOICE
}

/** The request fields for a choice: none for the default, so the app decides. */
export function executorChoiceRequest (choice: ExecutorChoice): { auction?: true, redundancy?: number } {
  switch (choice) {
    case 'auction': return { auction: true }
    case 'redundancy': return { redundancy: REDUNDANT_EXECUTORS }
    default: return {}
  }
}
