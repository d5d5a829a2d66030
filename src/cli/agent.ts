/**
 * `zerostate agent init | build | test | publish` — the agent developer kit
 * (issue 14): scaffold an agent (agent-scaffold.ts), compile it to a WASI
 * command and list its module by hash (agent-build.ts), run its examples in
 * the local sandbox (agent-test.ts), sign it with the developer's key and
 * publish it to the mesh through the SDK (agent-publish.ts).
 *
 * Exit codes as the other commands (cli-output.ts): 0 done, 1 failed (a
 * build, an example, the mesh), 2 bad arguments.
 */
import { Command, CommanderError, Option } from 'commander'
import { formatDuration, table, useColor, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, errorLine, parseCount } from './cli-output.ts'
import { buildAgent } from './agent-build.ts'
import { AGENT_LANGUAGES, type AgentLanguage } from './agent-project.ts'
import { publishAgent } from './agent-publish.ts'
import { initAgent } from './agent-scaffold.ts'
import { testAgent, testReportJson } from './agent-test.ts'
import { collect, processIo, writeOut, type MeshCliIo } from './mesh-session.ts'

export const AGENT_USAGE = `  zerostate agent init NAME [--lang assemblyscript|c] [--dir PATH]   scaffold an agent in ./NAME (or PATH)
  zerostate agent build [--dir PATH]            compile it to build/NAME.wasm, check it is a WASI command, list it by SHA-256
  zerostate agent test [--dir PATH] [--json]    run agent.json's examples in the local sandbox; exit 1 on any failure
  zerostate agent publish [--dir PATH] [--server URL | --relay-addr MA] [--home DIR] [--stay]
      sign it with the key in --home (default ZEROSTATE_HOME or ~/.zerostate) and publish it to the mesh`

/** How long publish waits for another peer by default before it publishes on this peer only. */
const DEFAULT_WAIT_PEERS_MS = 30_000

/** Runs `agent …` (`argv` is what follows "agent"); resolves with the exit code. */
export async function agentCommand (argv: string[], io: MeshCliIo = processIo): Promise<number> {
  let status = EXIT_OK
  const note = (line: string): void => { io.stderr.write(`${line}\n`) }
  /** Runs a subcommand's work: its exit code, 1 with the error's name and message, 2 for a UsageError. */
  const act = async (work: () => Promise<number>): Promise<void> => {
    try {
      status = await work()
    } catch (err) {
      if (err instanceof UsageError) throw err
      note(`zerostate agent: ${errorLine(err)}`)
      status = EXIT_FAILED
    }
  }
  const program = new Command('zerostate agent')
    .exitOverride()
    .showHelpAfterError('(--help for usage)')
    .configureOutput({ writeOut: text => { io.stdout.write(text) }, writeErr: text => { io.stderr.write(text) } })

  program.command('init')
    .description('scaffold an agent: agent.json, build.json, a small real program, its README; its examples pass')
    .argument('<name>', '1 to 64 characters of [a-z0-9-], starting with [a-z0-9]')
    .addOption(new Option('--lang <language>', 'the source language').choices(AGENT_LANGUAGES).default('assemblyscript'))
    .option('--dir <path>', 'where to write it (a new or empty folder; default ./NAME)')
    .action(async (name: string, options: { lang: AgentLanguage, dir?: string }) => {
      await act(async () => {
        const result = await initAgent(name, options.lang, options.dir ?? name)
        await writeOut(io.stdout, `created ${name} (${options.lang}) in ${result.dir}:\n${result.files.map(file => `  ${file}`).join('\n')}\n` +
          `next: zerostate agent build --dir ${options.dir ?? name} && zerostate agent test --dir ${options.dir ?? name}\n`)
        return EXIT_OK
      })
    })

  program.command('build')
    .description('compile the agent to build/NAME.wasm, check it is a WASI preview1 command, write build/manifest.unsigned.json')
    .option('--dir <path>', 'the agent\'s folder', '.')
    .option('--json', 'print the module entry as JSON', false)
    .action(async (options: { dir: string, json: boolean }) => {
      await act(async () => {
        const result = await buildAgent(options.dir)
        const { module } = result
        await writeOut(io.stdout, options.json
          ? `${JSON.stringify({ name: result.fields.name, version: result.fields.version, module, manifest: result.manifestPath })}\n`
          : `built ${result.fields.name}@${result.fields.version}: ${result.modulePath} (${module.size} bytes, sha256 ${module.sha256}) in ${formatDuration(result.durationMs)}\n`)
        return EXIT_OK
      })
    })

  program.command('test')
    .description('run each example of agent.json in the local sandbox and compare stdout byte for byte')
    .option('--dir <path>', 'the agent\'s folder', '.')
    .option('--json', 'the report as JSON', false)
    .action(async (options: { dir: string, json: boolean }) => {
      await act(async () => {
        const report = await testAgent(options.dir)
        if (options.json) {
          await writeOut(io.stdout, `${testReportJson(report)}\n`)
        } else {
          const color = useColor(io.env, io.stdout.isTTY === true)
          const rows = report.examples.map(example => [example.name, example.pass ? 'pass' : 'FAIL', formatDuration(example.durationMs), example.fuelUsed ?? '?'])
          const failures = report.examples.filter(example => !example.pass).map(example => `✗ ${example.name}: ${example.message ?? ''}`)
          await writeOut(io.stdout, [
            `${report.agent}@${report.version} (${report.module}, sha256 ${report.sha256.slice(0, 16)}…)`,
            report.examples.length === 0 ? 'no examples in agent.json' : table(['example', 'result', 'time', 'fuel'], rows, color),
            ...failures,
            `${report.passed} passed, ${report.failed} failed`,
            ''
          ].join('\n'))
        }
        return report.failed === 0 ? EXIT_OK : EXIT_FAILED
      })
    })

  program.command('publish')
    .description('sign the built agent with your key and publish it to the mesh (its examples must pass first)')
    .option('--dir <path>', 'the agent\'s folder', '.')
    .addOption(new Option('--home <dir>', 'the Node peer\'s directory, whose identity.key signs (one process per directory)').env('ZEROSTATE_HOME'))
    .addOption(new Option('--server <url>', 'the app server: its /config.json names the relays').env('ZEROSTATE_SERVER'))
    .option('--relay-addr <multiaddr>', 'a relay to join through, instead of the server\'s (repeatable)', collect, [])
    .option('--wait-peers <n>', 'other peers to wait for before publishing (30 s at most; 0: do not wait)', '1')
    .option('--timeout <ms>', 'give up after this long (exit 1 with TimeoutError)')
    .option('--skip-tests', 'publish even when an example fails', false)
    .option('--stay', 'stay online after publishing, serving the agent, until Ctrl-C', false)
    .option('--json', 'print {name, version, author, manifestHash, modules, peers}', false)
    .action(async (options: { dir: string, home?: string, server?: string, relayAddr: string[], waitPeers: string, timeout?: string, skipTests: boolean, stay: boolean, json: boolean }) => {
      const waitPeers = parseCount('--wait-peers', options.waitPeers, 0, 100)
      await act(async () => publishAgent({
        dir: options.dir,
        relayAddr: options.relayAddr,
        json: options.json,
        waitPeers,
        waitPeersMs: DEFAULT_WAIT_PEERS_MS,
        skipTests: options.skipTests,
        stay: options.stay,
        ...(options.home === undefined ? {} : { home: options.home }),
        ...(options.server === undefined ? {} : { server: options.server }),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout })
      }, io))
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    if (err instanceof UsageError) {
      note(`zerostate agent: ${err.message}`)
      return EXIT_USAGE
    }
    throw err
  }
  return status
}
