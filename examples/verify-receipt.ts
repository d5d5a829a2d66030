/**
 * Checking receipts and a workflow record offline, with nothing but this
 * package's receipts module: each receipt's schema and Ed25519 signature (by
 * the executor its PeerId names), then — given a record — the record's
 * signature and every step of it against those receipts (and the spec, when
 * given). With a reachable `--server`, each receipt's module is named by the
 * server's sample of that hash.
 *
 *   npx node --experimental-transform-types examples/verify-receipt.ts receipts.json [more.json…] [--record record.json] [--spec spec.yaml] [--server URL]
 *
 * Each file holds one receipt or a JSON array of them (a tab's "download
 * receipt", or examples/workflow.ts --save). Exit status 1 when anything is
 * refused, with the error's name: InvalidReceiptError, ReceiptSignatureError,
 * WorkflowRecordSignatureError, WorkflowRecordReceiptMismatchError…
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseReceipt, receiptHash, verifyReceipt, verifyWorkflowRecord, type Receipt } from 'zerostate'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    server: { type: 'string', default: 'http://127.0.0.1:8080' },
    record: { type: 'string' },
    spec: { type: 'string' }
  }
})

const samples = await sampleNames(values.server)
try {
  const receipts: Receipt[] = []
  for (const path of positionals) {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'))
    // The size limit and the schema (docs/receipt-format.md): a copy with exactly the receipt's fields.
    for (const one of Array.isArray(value) ? value : [value]) receipts.push(parseReceipt(one))
  }
  for (const receipt of receipts) {
    // Schema, the key inside the executor's PeerId, the signature; throws a named error otherwise.
    await verifyReceipt(receipt)
    const module = samples.get(receipt.moduleHash) ?? `module ${receipt.moduleHash.slice(0, 12)}`
    console.log(`verified ${receiptHash(receipt).slice(0, 16)}  ${module}  ${receipt.status} (exit ${receipt.exitCode})  ${receipt.fuelUsed} fuel  ${receipt.price.charge} µ  by ${receipt.executor}`)
  }
  if (values.record !== undefined) {
    const report = await verifyWorkflowRecord(JSON.parse(await readFile(values.record, 'utf8')), {
      now: Date.now(), receipts, ...(values.spec === undefined ? {} : { specText: await readFile(values.spec, 'utf8') })
    })
    for (const step of report.steps) console.log(`  ${step.name}${step.item === undefined ? '' : `[${step.item}]`}: ${step.state}, receipt ${step.receipt}`)
    console.log(`valid workflow record of run ${report.record.runId} (${report.record.state}), signed by ${report.record.submitter}; spec ${report.specChecked ? 'matches' : 'not checked'}`)
  }
} catch (err) {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err))
  process.exitCode = 1
}

/** The server's samples by module hash; none when it cannot be reached (everything else here is offline). */
async function sampleNames (server: string): Promise<Map<string, string>> {
  try {
    const samples = await (await fetch(new URL('samples/samples.json', server), { signal: AbortSignal.timeout(2000) })).json() as Array<{ id: string, sha256: string }>
    return new Map(samples.map(sample => [sample.sha256, sample.id]))
  } catch {
    return new Map()
  }
}
