/**
 * The commands that use the mesh from a terminal — `submit`, `job`,
 * `workflow`, `peers`, `ledger` — each a Node peer through the SDK's
 * `connect()` (src/peer/connect.node.ts) for as long as it runs. They share
 * their options (`--server`, `--relay-addr`, `--dir`, `--timeout`, `--json`,
 * `--wait-executors`), their exit codes (cli-output.ts: 0 done, 1 failed, 2
 * bad arguments, 130 Ctrl-C) and how a session goes: connect, wait for
 * executors, do the work, close — the first Ctrl-C (or SIGTERM) stops the
 * work cleanly (a job canceled, a workflow left resumable) and leaves the
 * mesh; a second one exits at once.
 */
import { Command, CommanderError } from 'commander'
import { EXIT_OK, EXIT_USAGE, UsageError, ledgerSummary, peerRows, shortId, table } from './cli-output.ts'
import { addJobCommand } from './job.ts'
import { addMeshOptions, processIo, withMesh, writeOut, type MeshCliIo, type MeshOptions } from './mesh-session.ts'
import { addSubmitCommand } from './submit.ts'
import { addWorkflowCommand } from './workflow.ts'

export const MESH_USAGE = `  zerostate submit [options] MODULE [ARGS...]       one task; stdin piped through, its stdout/stderr written
  zerostate job MODULE --inputs FILE|DIR [options]   one module over many inputs, results in input order
  zerostate workflow run SPEC.yaml|--template ID [--input k=v|k=@file] [--watch]
  zerostate workflow resume RUN_ID | list | log RUN_ID
  zerostate workflow plan "REQUEST" [--endpoint URL --model M] [--out spec.yaml]   a spec from a chat model; runs nothing
  zerostate peers | ledger                           this peer's connections / channels and payments
      Each joins the mesh as a Node peer: --server URL (default ZEROSTATE_SERVER or http://127.0.0.1:8080),
      --relay-addr MA..., --dir DIR (default ZEROSTATE_HOME or ~/.zerostate; one process per DIR, so a
      running 'zerostate contribute' needs another), --timeout MS, --json, --wait-executors N.
      Exit: 0 done, 1 mesh or task failure, 2 bad arguments, 130 Ctrl-C; submit: the task's own exit code.
      'zerostate COMMAND --help' for each command's options.`

function addPeersCommand (program: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  addMeshOptions(program.command('peers').description('this peer\'s connections: transports, contributing, slots, reputation'), '0')
    .action(async (options: MeshOptions) => {
      setStatus(await withMesh(options, io, async ({ mesh, json, color }) => {
        const rows = peerRows(mesh.peers(), mesh.cards(), await mesh.ledger())
        if (json) {
          await writeOut(io.stdout, `${JSON.stringify({ peerId: mesh.peerId, peers: rows })}\n`)
        } else {
          await writeOut(io.stdout, `peer ${mesh.peerId}\n${table(['peer', 'transports', 'contributing', 'slots', 'reputation'], rows.map(row => [
            `${shortId(row.peerId, 16)}${row.relay ? ' (relay)' : ''}`, row.transports.join(', '), row.contributing ? 'yes' : 'no', row.slots, `${row.reputation.toFixed(2)}${row.blacklisted ? ' blacklisted' : ''}`
          ]), color)}\n`)
        }
        return EXIT_OK
      }))
    })
}

function addLedgerCommand (program: Command, io: MeshCliIo, setStatus: (code: number) => void): void {
  addMeshOptions(program.command('ledger').description('this peer\'s payment channels and payments, in micro-units'), '0')
    .action(async (options: MeshOptions) => {
      setStatus(await withMesh(options, io, async ({ mesh, json, color }) => {
        const summary = ledgerSummary(mesh.peerId, await mesh.ledger())
        if (json) {
          await writeOut(io.stdout, `${JSON.stringify(summary)}\n`)
          return EXIT_OK
        }
        const { payments } = summary
        const lines = [
          `peer ${summary.peerId}`,
          summary.channels.length === 0
            ? 'no channels'
            : table(['channel', 'peer', 'status', 'payments', 'balance µ', 'peer\'s µ'], summary.channels.map(c => [c.channelId.slice(0, 12), shortId(c.peer, 16), c.status, c.sequence, c.balance, c.peerBalance]), color),
          `${payments.count} payments: paid ${payments.paid} µ, received ${payments.received} µ, ${payments.refunds} refunds; ${summary.settlements} settlements, ${summary.attestations} attestations, ${summary.reports} reputation reports`,
          ...payments.recent.map(p => `  ${new Date(p.at).toISOString()}  ${p.direction === 'out' ? 'paid    ' : 'received'} ${String(p.amount).padStart(8)} µ  ${p.kind === 'refund' ? 'refund ' : ''}task ${p.taskId.slice(0, 24)}  ${shortId(p.peer, 16)}`)
        ]
        await writeOut(io.stdout, `${lines.join('\n')}\n`)
        return EXIT_OK
      }))
    })
}

/** Runs `submit|job|workflow|peers|ledger …` (`argv` starts with the command's name); resolves with the exit code. */
export async function meshCommand (argv: string[], io: MeshCliIo = processIo): Promise<number> {
  if (io === processIo) {
    // A reader that went away (`zerostate job … | head`) ends the command quietly, as it would a filter.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(EXIT_OK) })
  }
  let status = EXIT_OK
  const setStatus = (code: number): void => { status = code }
  const program = new Command('zerostate')
    .exitOverride()
    .showHelpAfterError('(--help for usage; task args that start with a dash go after --)')
    .configureOutput({ writeOut: text => { io.stdout.write(text) }, writeErr: text => { io.stderr.write(text) } })
  addSubmitCommand(program, io, setStatus)
  addJobCommand(program, io, setStatus)
  addWorkflowCommand(program, io, setStatus)
  addPeersCommand(program, io, setStatus)
  addLedgerCommand(program, io, setStatus)
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    if (err instanceof UsageError) {
      io.stderr.write(`zerostate: ${err.message}\n`)
      return EXIT_USAGE
    }
    throw err
  }
  return status
}
