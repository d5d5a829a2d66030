/**
 * `zerostate split verify FILE`: checks a signed Shapley split record
 * (docs/shapley-split.md, "Split record") offline — its signature, then the
 * split recomputed from the record's own game (exact, or sampled with the
 * seed from its run id), share by share — and prints what each member is to
 * be paid. Anyone holding the record can run it before a payment is made.
 *
 * Exit status: 0 valid; 1 refused (the error's name, and the member whose
 * share differs); 2 bad arguments or an unreadable file.
 */
import { readFile } from 'node:fs/promises'
import { Command, CommanderError } from 'commander'
import { splitRecordHash, verifySplitRecord } from '../economy/index.ts'

const EXIT_REFUSED = 1
const EXIT_USAGE = 2

export const SPLIT_USAGE = `  zerostate split verify FILE [--json]
      Verify a signed Shapley split record offline: signature, then the split recomputed from its game
      (sampled splits from the seed of its run id); prints each member's payment. Exit: 0 valid,
      1 refused, 2 bad arguments.`

/** Where the command writes; the process's streams unless a test gives others. */
export interface SplitIo {
  out: (line: string) => void
  err: (line: string) => void
}

const processIo: SplitIo = {
  out: line => { process.stdout.write(`${line}\n`) },
  err: line => { process.stderr.write(`${line}\n`) }
}

/** Runs `split …` on `argv` (what follows `split`); resolves with the exit status. */
export async function splitCommand (argv: string[], io: SplitIo = processIo): Promise<number> {
  let status = 0
  const program = new Command('zerostate split')
    .exitOverride()
    .configureOutput({ writeOut: text => { io.out(text.trimEnd()) }, writeErr: text => { io.err(text.trimEnd()) } })
  program.command('verify')
    .description('verify a signed Shapley split record offline by recomputing it')
    .argument('<file>', 'a split record (JSON)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, options: { json: boolean }) => { status = await verify(file, options, io) })
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE
    throw err
  }
  return status
}

async function verify (file: string, options: { json: boolean }, io: SplitIo): Promise<number> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    io.err(`split verify: ${file}: ${err instanceof Error ? err.message : String(err)}`)
    return EXIT_USAGE
  }
  try {
    const record = verifySplitRecord(value)
    // What paymentsFor gives, without recomputing the split a second time.
    const payments = record.shares.filter(share => share.payment > 0).map(share => ({ payee: share.member, amount: share.payment }))
    const recordHash = splitRecordHash(record)
    if (options.json) {
      io.out(JSON.stringify({
        valid: true, recordHash, runId: record.runId, signer: record.signer, method: record.method, sampling: record.sampling,
        total: record.total, budget: record.budget, shares: record.shares, payments
      }))
      return 0
    }
    const method = record.sampling === null
      ? 'exact'
      : `sampled: ${record.sampling.permutations} permutations, ε = ${record.sampling.epsilon} µ, δ = ${record.sampling.delta}`
    io.out(`valid: split ${recordHash} of run ${record.runId}, signed by ${record.signer} (${method})`)
    for (const share of record.shares) io.out(`  ${share.member}  share ${share.share} µ  paid ${Math.max(0, share.payment)} µ`)
    io.out(`total ${record.total} µ of a budget of ${record.budget} µ`)
    return 0
  } catch (err) {
    const member = (err as { member?: unknown }).member
    io.err(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}${typeof member === 'string' ? ` (member ${member})` : ''}`)
    return EXIT_REFUSED
  }
}
