/**
 * The sandbox against hostile and broken modules, in real Chromium: each one
 * ends with a specific error and a verified receipt (or is refused before it
 * is sent), and the executor serves the next task. Determinism: the same task
 * gives the same output and fuel on two browser executors and in Node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createNodeWorkerPool } from '../../src/execution/node-host.node.ts'
import type { Receipt } from '../../src/receipts/index.ts'
import * as wasm from '../fixtures/wasm-modules.ts'
import * as wat from '../fixtures/wat-modules.ts'
import { startHarness, waitForDirect } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

interface Outcome {
  stdout?: string
  exitCode?: number
  files?: string[]
  receipt?: Receipt
  errorName?: string
  errorMessage?: string
}

/** A module by its sample path, or its bytes in base64 (Playwright carries a number[] of 2 MB element by element, for seconds). */
type ModuleArgument = string | { base64: string }

async function submit (page: Page, request: { module: ModuleArgument, stdin?: string, timeoutMs?: number, fuel?: number, memoryLimitBytes?: number, seed?: number[], executor?: string }): Promise<Outcome> {
  return page.evaluate(async (req) => {
    try {
      const result = await window.zerostate.submit({
        ...req,
        module: typeof req.module === 'string' ? req.module : Uint8Array.from(atob(req.module.base64), c => c.charCodeAt(0)),
        seed: req.seed == null ? undefined : new Uint8Array(req.seed)
      })
      return { stdout: new TextDecoder().decode(result.stdout), exitCode: result.exitCode, files: result.files.map(([path]) => path), receipt: result.receipt }
    } catch (err) {
      const e = err as Error & { receipt?: Receipt }
      return { errorName: e.name, errorMessage: e.message, receipt: e.receipt }
    }
  }, request)
}

describe('the sandbox in Chromium', () => {
  let harness: Harness
  let submitter: Peer
  let executor: Peer
  let second: Peer

  beforeAll(async () => {
    harness = await startHarness()
    executor = await harness.openPeer()
    second = await harness.openPeer()
    submitter = await harness.openPeer()
    for (const peer of [executor, second]) {
      await peer.page.evaluate(async () => { await window.zerostate.contribute(true, 1) })
    }
    await waitForDirect(submitter.page, executor.peerId)
    await waitForDirect(submitter.page, second.peerId)
  })

  afterAll(async () => {
    await harness?.close()
  })

  const bytes = (module: Uint8Array): ModuleArgument => ({ base64: Buffer.from(module).toString('base64') })

  const cases: Array<[string, () => Parameters<typeof submit>[1], string, string | undefined]> = [
    ['bytes that are not WASM', () => ({ module: bytes(wasm.notWasm()) }), 'InvalidModuleError', 'invalid-module'],
    ['a valid module that is not a WASI command', () => ({ module: bytes(wasm.noStart()) }), 'NotWasiCommandError', 'invalid-module'],
    ['imports the sandbox does not provide', () => ({ module: bytes(wasm.importsEnvFoo()) }), 'UnsupportedImportError', 'invalid-module'],
    ['an infinite loop (timeout)', () => ({ module: 'samples/forever.wasm', timeoutMs: 500 }), 'TaskTimeoutError', 'timeout'],
    ['an infinite loop (fuel)', () => ({ module: 'samples/forever.wasm', fuel: 20_000_000 }), 'OutOfFuelError', 'out-of-fuel'],
    ['unbounded recursion', () => ({ module: bytes(wat.recursesForever()) }), 'TaskTrapError', 'trap'],
    ['memory.grow in a loop', () => ({ module: bytes(wat.growsUntilRefused()), memoryLimitBytes: 4 * 1024 * 1024 }), 'MemoryLimitError', 'memory-limit'],
    ['declared memory over the cap', () => ({ module: bytes(wasm.declaresMemory(100)), memoryLimitBytes: 1024 * 1024 }), 'MemoryLimitError', 'memory-limit'],
    ['100 MB written to stdout', () => ({ module: bytes(wat.floodsStdout(100 * 1024 * 1024)) }), 'OutputTooLargeError', 'trap'],
    ['a huge data segment', () => ({ module: bytes(wasm.withDataSegment(2 * 1024 * 1024)) }), 'TaskTrapError', 'trap'],
    ['a module of 0 bytes', () => ({ module: bytes(new Uint8Array(0)) }), 'InvalidTaskMessageError', undefined]
  ]

  for (const [name, request, errorName, status] of cases) {
    it(`ends ${name} with ${errorName}, and the executor serves the next task`, async () => {
      const outcome = await submit(submitter.page, { ...request(), executor: executor.peerId })
      expect(outcome.errorName, outcome.errorMessage).toBe(errorName)
      if (status === undefined) {
        expect(outcome.receipt).toBeUndefined()
      } else {
        expect(outcome.receipt?.status).toBe(status)
        expect(outcome.receipt?.executor).toBe(executor.peerId)
      }
      const next = await submit(submitter.page, { module: 'samples/echo.wasm', stdin: 'next', executor: executor.peerId })
      expect(next.stdout).toBe('next')
    })
  }

  // The app server makes the page cross-origin isolated (src/server/http-server.ts), so the pool
  // learns a running task's memory size from shared memory, not from a message per growth: a task
  // killed at its time limit still reports the memory it had grown to.
  it('runs cross-origin isolated, and a task killed at its time limit reports the memory it grew to', async () => {
    const isolation = await executor.page.evaluate(() => ({ isolated: crossOriginIsolated, shared: typeof SharedArrayBuffer === 'function' }))
    expect(isolation).toEqual({ isolated: true, shared: true })
    const outcome = await submit(submitter.page, { module: bytes(wat.growsThenSpins(15)), timeoutMs: 1000, executor: executor.peerId })
    expect(outcome.errorName).toBe('TaskTimeoutError')
    expect(outcome.receipt?.status).toBe('timeout')
    expect(outcome.receipt?.memoryPeakBytes).toBe(16 * 65536)
  })

  it('reports proc_exit(3) as exit code 3 with a receipt', async () => {
    const outcome = await submit(submitter.page, { module: bytes(wasm.exitsWith(3)), executor: executor.peerId })
    expect(outcome.exitCode).toBe(3)
    expect(outcome.receipt).toMatchObject({ status: 'exit', exitCode: 3 })
  })

  it('refuses a write outside the preopened directory', async () => {
    const outcome = await submit(submitter.page, { module: bytes(wat.createsFile('../escape.txt')), executor: executor.peerId })
    expect(outcome.receipt?.status).toBe('ok')
    expect(outcome.files).toEqual([])
    // The module prints the errno path_open returned: anything but 0 (success).
    expect(outcome.stdout?.charCodeAt(0)).not.toBe(0)
  })

  it('gives the same output and fuel on two browser executors and in Node', async () => {
    const seed = Array.from({ length: 32 }, (_, i) => i)
    const first = await submit(submitter.page, { module: 'samples/entropy.wasm', seed, executor: executor.peerId })
    const again = await submit(submitter.page, { module: 'samples/entropy.wasm', seed, executor: second.peerId })
    expect(first.errorMessage).toBeUndefined()
    expect(again.receipt?.executor).toBe(second.peerId)
    expect(again.stdout).toBe(first.stdout)
    expect(again.receipt?.fuelUsed).toBe(first.receipt?.fuelUsed)

    const pool = createNodeWorkerPool({ slots: 1 })
    try {
      const module = new Uint8Array(await (await fetch(new URL('samples/entropy.wasm', harness.mesh.url))).arrayBuffer())
      const node = await pool.run(first.receipt!.moduleHash, module, { args: [], env: [], stdin: new Uint8Array(), files: [], seed: new Uint8Array(seed) }, {
        timeoutMs: first.receipt!.limits.timeoutMs, memoryLimitBytes: first.receipt!.limits.memoryBytes, fuel: first.receipt!.limits.fuel
      })
      expect(new TextDecoder().decode(node.stdout)).toBe(first.stdout)
      expect(node.fuelUsed).toBe(first.receipt?.fuelUsed)
    } finally {
      pool.stop()
    }
  })
})
