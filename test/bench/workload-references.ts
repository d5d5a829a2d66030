/**
 * The JS references of the workloads, bundled for a Chromium page by
 * test/bench/workloads.ts: the same computation each workload does, done by
 * the library the workload is measured against, in that page.
 */
import Ajv2020 from 'ajv/dist/2020.js'
import { parse as parseCsv } from 'csv-parse/browser/esm/sync'
import lande from 'lande'

/** lande's JS on each line, as lang-detect --lines does. */
export function langDetect (lines: string[]): number {
  let found = 0
  for (const line of lines) found += lande(line).length > 0 ? 1 : 0
  return found
}

/** csv-parse's synchronous parser, header row to objects, as csv-to-json does. */
export function csvToJson (text: string): string {
  return JSON.stringify(parseCsv(text, { columns: true, bom: true }))
}

/** Ajv (draft 2020-12, every error), compiling the schema each time as json-validate does. */
export function jsonValidate (schema: object, document: unknown): number {
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  const validate = ajv.compile(schema)
  validate(document)
  return validate.errors?.length ?? 0
}
