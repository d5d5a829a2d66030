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
  else if (Array.isArray(value) && value.every(isLabelledNumber)) shown = value.map(([label, n]) => `${label} ${formatNumber(n)}`).join(', ')
  else shown = JSON.stringify(value)
  return shown.length > MAX_CELL_CHARS ? `${shown.slice(0, MAX_CELL_CHARS - 1)}…` : shown
}

function isLabelledNumber (value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
}

function formatNumber (n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)))
}
