/**
 * Misbehaviour for end-to-end tests of the trust layer, compiled only into
 * the test-hooks build (`vite build --mode test-hooks`, dist-test-hooks/):
 * in every other build `__ZEROSTATE_TEST_HOOKS__` is false and this code is
 * dropped. A page of that build opened with `?cheat=corrupt-output` is an
 * executor that signs receipts over corrupted stdout — what a witness must catch.
 */
import type { TaskRunner } from '../orchestration/task-protocol/index.ts'

declare const __ZEROSTATE_TEST_HOOKS__: boolean

/** The runner this tab's executor uses: the sandbox itself, or in the cheating test build one that flips the first output byte. */
export function executorRunner (runner: TaskRunner): TaskRunner {
  if (!__ZEROSTATE_TEST_HOOKS__ || new URLSearchParams(location.search).get('cheat') !== 'corrupt-output') return runner
  return {
    async run (moduleHash, module, input, limits, options) {
      const result = await runner.run(moduleHash, module, input, limits, options)
      const stdout = result.stdout.byteLength === 0 ? Uint8Array.of(0x21) : result.stdout.slice()
      stdout[0] = (stdout[0] ?? 0) ^ 0x01
      return { ...result, stdout }
    }
  }
}
