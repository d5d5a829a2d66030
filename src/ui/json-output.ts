/**
 * JSON output shown as a table, for people: a task that prints one JSON
 * object (or an array of objects, or one object per line — JSON Lines) gets
 * one row per object and one column per key, in the order keys first appear.
 * Pure: no DOM, unit-tested (test/unit/ui/json-output.test.ts). The raw
 * stdout stays one click away on the task card.
 */

export interface JsonTable {
  columns: string[]
  rows: string[][]
  /**
   * When the output is one object holding a list of objects (json-validate's
   * `errors`, a detector's `faces`), the rows are that list, and this names it
   * and shows the object's other fields: "errors · valid: false".
   */
  caption?: string
}

/** A distribution the task printed (an object of probabilities), to draw as bars. */
export interface Probabilities {
  /** The field it came from, e.g. "expressions". */
  field: string
  /** Most probable first. */
  entries: Array<[string, number]>
}

/** Beyond these, the output is left as text: a table that large helps nobody. */
export const MAX_TABLE_ROWS = 1000
export const MAX_TABLE_COLUMNS = 12
/** Longest cell shown; longer values are cut with an ellipsis. */
export const MAX_CELL_CHARS = 80

/** The table of `text`, or undefined when it is not one or more JSON objects. */
export function jsonTable (text: string): JsonTable | undefined {
  const objects = jsonObjects(text.trim())
  if (objects === undefined || objects.length === 0 || objects.length > MAX_TABLE_ROWS) return undefined
  const nested = objects.length === 1 ? nestedList(objects[0]!) : undefined
  if (nested !== undefined) {
    const table = tableOf(nested.rows)
    if (table !== undefined) return { ...table, caption: nested.caption }
  }
  return tableOf(objects)
}

/** The one field of `object` that is a non-empty list of objects, with the other fields as a caption. */
function nestedList (object: Record<string, unknown>): { rows: Array<Record<string, unknown>>, caption: string } | undefined {
  const lists = Object.entries(object).filter(([, value]) => Array.isArray(value) && value.length > 0 && value.length <= MAX_TABLE_ROWS && value.every(isObject))
  if (lists.length !== 1) return undefined
  const [field, rows] = lists[0]! as [string, Array<Record<string, unknown>>]
  const others = Object.entries(object).filter(([key]) => key !== field).map(([key, value]) => `${key}: ${cell(value)}`)
  return { rows, caption: [field, ...others].join(' · ') }
}

/**
 * The first field of a single JSON object that is a probability distribution:
 * an object of two or more numbers in [0, 1] that add up to 1 (within 1 %),
 * e.g. face-expression's {"expressions": {"happy": 0.99, …}}.
 */
export function probabilities (text: string): Probabilities | undefined {
  const value = parse(text.trim())
  if (!isObject(value)) return undefined
  for (const [field, candidate] of Object.entries(value)) {
    if (!isObject(candidate)) continue
    const entries = Object.entries(candidate)
    if (entries.length < 2 || !entries.every((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] >= 0 && entry[1] <= 1)) continue
    const sum = entries.reduce((total, [, p]) => total + p, 0)
    if (Math.abs(sum - 1) > 0.01) continue
    return { field, entries: entries.sort((a, b) => b[1] - a[1]) }
  }
  return undefined
}

function tableOf (objects: Array<Record<string, unknown>>): JsonTable | undefined {
  const columns: string[] = []
  for (const object of objects) {
    for (const key of Object.keys(object)) if (!columns.includes(key)) columns.push(key)
  }
  if (columns.length === 0 || columns.length > MAX_TABLE_COLUMNS) return undefined
  return { columns, rows: objects.map(object => columns.map(column => cell(object[column]))) }
}

function jsonObjects (text: string): Array<Record<string, unknown>> | undefined {
  if (text === '' || !(text.startsWith('{') || text.startsWith('['))) return undefined
  const whole = parse(text)
  if (whole !== undefined) {
    const list = Array.isArray(whole) ? whole : [whole]
    return list.every(isObject) ? list : undefined
  }
  const lines = text.split('\n').map(line => line.trim()).filter(line => line !== '')
  if (lines.length > MAX_TABLE_ROWS) return undefined
  const objects = lines.map(parse)
  return objects.every(isObject) ? objects : undefined
}

function parse (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Not one JSON document: the caller tries JSON Lines, or leaves the output as text.
    return undefined
  }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value as a cell: numbers to 6 significant digits, [label, number] pairs as "label number", the rest as compact JSON. */
export function cell (value: unknown): string {
  let shown: string
  if (value === undefined) shown = ''
  else if (typeof value === 'string') shown = value
  else if (typeof value === 'number') shown = formatNumber(value)
  else if (Array.isArray(value) && value.length > 0 && value.every(isLabelledNumber)) shown = value.map(([label, n]) => `${label} ${formatNumber(n)}`).join(', ')
  else if (isObject(value) && Object.keys(value).length > 0 && Object.values(value).every(v => typeof v === 'number')) {
    // An object of numbers (probabilities, scores): largest first, as "label number".
    shown = (Object.entries(value) as Array<[string, number]>).sort((a, b) => b[1] - a[1]).map(([label, n]) => `${label} ${formatNumber(n)}`).join(', ')
  } else shown = JSON.stringify(value)
  return shown.length > MAX_CELL_CHARS ? `${shown.slice(0, MAX_CELL_CHARS - 1)}…` : shown
}

function isLabelledNumber (value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
}

function formatNumber (n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)))
}
