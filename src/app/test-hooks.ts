/**
 * Misbehaviour for end-to-end tests of the trust layer, compiled only into
 * the test-hooks build (`vite build --mode test-hooks`, dist-test-hooks/):
 * in every other build `__ZEROSTATE_TEST_HOOKS__` is false and this code is
 * dropped. A page of that build opened with `?cheat=corrupt-output` is an
 * executor that signs receipts over corrupted stdout — what a witness must
 * catch; with `?cheat=wrong-key` it signs its receipts with a key that is not
 * its PeerId's — what every submitter must refuse; with `?cheat=stale-close`
 * it closes channels alone on an older co-signed state, one it paid less in —
 * what the other party must beat with its newer one.
 */
import { createIdentity } from '../crypto/identity.ts'
import type { PeerIdentity } from '../crypto/identity.ts'
import type { TaskRunner } from '../execution/types.ts'
import type { ZeroStateStore } from '../peer/store.ts'

declare const __ZEROSTATE_TEST_HOOKS__: boolean

/** The misbehaviour asked for, only ever in the test-hooks build. */
function cheat (): string | null {
  return __ZEROSTATE_TEST_HOOKS__ ? new URLSearchParams(location.search).get('cheat') : null
}

/** The identity this tab's executor signs receipts with: its own, or in the cheating test build a stranger's. */
export async function executorIdentity (identity: PeerIdentity): Promise<PeerIdentity> {
  return cheat() === 'wrong-key' ? createIdentity() : identity
}

/** The runner this tab's executor uses: the sandbox itself, or in the cheating test build one that flips the first output byte. */
export function executorRunner (runner: TaskRunner): TaskRunner {
  if (cheat() !== 'corrupt-output') return runner
  return {
    async run (moduleHash, module, input, limits, options) {
      const result = await runner.run(moduleHash, module, input, limits, options)
      const stdout = result.stdout.byteLength === 0 ? Uint8Array.of(0x21) : result.stdout.slice()
      stdout[0] = (stdout[0] ?? 0) ^ 0x01
      return { ...result, stdout }
    }
  }
}

/** In the cheating test build, rolls a channel back to the state before its last payment, so a close posts that one. */
export async function beforeUnilateralClose (store: ZeroStateStore, channelId: string): Promise<void> {
  if (cheat() !== 'stale-close') return
  const channel = await store.getChannel(channelId)
  const older = (await store.listPayments()).find(p => p.channelId === channelId && p.sequence === (channel?.latest.state.sequence ?? 0) - 1)
  if (channel !== undefined && older !== undefined) await store.saveChannel({ ...channel, latest: older.state })
}
