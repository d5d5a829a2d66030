/**
 * A Node peer on the mesh: `zerostate contribute` spawned as a user would
 * (its own process, JSON Lines on stdout) joins through the harness's relay,
 * learnt from the app server's /config.json as a tab learns it, and runs
 * tasks for a Chromium tab over a direct WebRTC connection (@libp2p/webrtc on
 * node-datachannel in Node); the tab verifies each receipt as signed by the
 * Node peer. SIGINT stops it gracefully (exit 0).
 */
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

const ROOT = join(import.meta.dirname, '..', '..')

interface ContributeEvent { event: string, peerId?: string, taskId?: string, submitter?: string, status?: string, fuel?: number }

describe('a Node peer contributing to the mesh', () => {
  let harness: Harness
  let tab: Peer
  let node: ChildProcessWithoutNullStreams
  const events: ContributeEvent[] = []
  let stderr = ''
  let exited: Promise<number | null>

  const next = async (event: string, timeoutMs = 60_000): Promise<ContributeEvent> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = events.find(e => e.event === event)
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error(`no "${event}" from zerostate contribute within ${timeoutMs} ms; stderr: ${stderr}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  beforeAll(async () => {
    harness = await startHarness()
    node = spawn(process.execPath, [
      '--experimental-transform-types', '--disable-warning=ExperimentalWarning',
      join(ROOT, 'src/cli/zerostate.ts'), 'contribute', '--server', harness.mesh.url, '--slots', '1', '--json'
    ], { cwd: ROOT, stdio: 'pipe' })
    createInterface({ input: node.stdout }).on('line', line => { events.push(JSON.parse(line) as ContributeEvent) })
    node.stderr.on('data', chunk => { stderr += String(chunk) })
    exited = new Promise(resolve => { node.once('exit', code => { resolve(code) }) })
    tab = await harness.openPeer()
  }, 120_000)

  afterAll(async () => {
    if (node.exitCode === null) node.kill('SIGKILL')
    await harness?.close()
  })

  it('runs a tab\'s tasks over a direct WebRTC connection, each receipt signed by the Node peer', async () => {
    const { peerId } = await next('online')
    expect(peerId).toMatch(/^12D3KooW/)
    await waitForDirect(tab.page, peerId!)
    const results = await tab.page.evaluate(async executor => {
      const out = []
      for (const stdin of ['hello from a tab', 'second']) {
        const result = await window.zerostate.submit({ module: 'samples/echo.wasm', stdin, executor })
        out.push({ stdout: new TextDecoder().decode(result.stdout), executor: result.receipt.executor, taskId: result.receipt.taskId })
      }
      return { out, transports: window.zerostate.peers().find(p => p.peerId === executor)?.transports ?? [] }
    }, peerId!)
    expect(results.out.map(r => r.stdout)).toEqual(['hello from a tab', 'second'])
    expect(results.out.every(r => r.executor === peerId)).toBe(true)
    expect(results.transports).toContain('webrtc')
    // The Node peer reports each task it ran, for this tab.
    await expect.poll(() => events.filter(e => e.event === 'executed').map(e => e.taskId)).toEqual(results.out.map(r => r.taskId))
    expect(events.filter(e => e.event === 'executed').every(e => e.submitter === tab.peerId && e.status === 'ok')).toBe(true)
  }, 120_000)

  it('stops gracefully on SIGINT', async () => {
    node.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(events.map(e => e.event)).toEqual(expect.arrayContaining(['stopping', 'stopped']))
  }, 60_000)
})
