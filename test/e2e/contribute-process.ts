/**
 * `zerostate contribute --json` as a child process, as a user runs it: its
 * JSON Lines events (online, executed, stopping, stopped) collected as they
 * come, waited for by name, and its stderr kept for the failure message.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')

/** One event line; the fields each event carries (docs in src/cli/contribute.ts). */
export interface ContributeEvent { event: string, peerId?: string, taskId?: string, submitter?: string, status?: string, fuel?: number, charge?: number, a2a?: string }

export interface Contributor {
  events: ContributeEvent[]
  stderr(): string
  exited: Promise<number | null>
  /** The first event named `event`; rejects with the process's stderr once `timeoutMs` passed or it exited. */
  next(event: string, timeoutMs?: number): Promise<ContributeEvent>
  kill(signal: NodeJS.Signals): void
}

/** Starts `zerostate contribute --server SERVER --slots 1 --dir DIR --json ARGS…` on this checkout's CLI. */
export function spawnContributor (server: string, dir: string, args: readonly string[]): Contributor {
  const child = spawn(process.execPath, [
    '--experimental-transform-types', '--disable-warning=ExperimentalWarning',
    join(ROOT, 'src/cli/zerostate.ts'), 'contribute', '--server', server, '--slots', '1', '--dir', dir, '--json', ...args
  ], { cwd: ROOT, stdio: 'pipe' })
  const events: ContributeEvent[] = []
  let stderr = ''
  createInterface({ input: child.stdout }).on('line', line => { events.push(JSON.parse(line) as ContributeEvent) })
  child.stderr.on('data', chunk => { stderr += String(chunk) })
  const exited = new Promise<number | null>(resolve => { child.once('exit', code => { resolve(code) }) })
  return {
    events,
    stderr: () => stderr,
    exited,
    async next (event, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events.find(e => e.event === event)
        if (found !== undefined) return found
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no "${event}" from zerostate contribute; stderr: ${stderr}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    },
    kill (signal) { if (child.exitCode === null) child.kill(signal) }
  }
}
