/**
 * A tab that took no part in a guild's run checks its split (docs/shapley-split.md):
 * it waits for the record on the splits topic (recomputed before gossipsub
 * passed it on), recomputes it again, and tries a copy in which `member` is
 * paid 1 µ more. Resolves with the run id it verified and the name of the
 * error that refused the tampered copy ('nothing' if none did).
 */
import type { Peer } from './harness.ts'

export async function checkSplitElsewhere (watcher: Peer, runId: string, member: string): Promise<{ ok: string, refused: string }> {
  await watcher.page.waitForFunction(id => window.zerostate.guilds.splits().some(record => record.runId === id), runId, { timeout: 30_000, polling: 200 })
  return watcher.page.evaluate(({ runId, member }) => {
    const record = window.zerostate.guilds.splits().find(candidate => candidate.runId === runId)!
    const ok = window.zerostate.guilds.verifySplit(record).runId
    const tampered = { ...record, shares: record.shares.map(share => share.member === member ? { ...share, share: share.share + 1, payment: share.payment + 1 } : share) }
    try {
      window.zerostate.guilds.verifySplit(tampered)
      return { ok, refused: 'nothing' }
    } catch (err) {
      return { ok, refused: (err as Error).name }
    }
  }, { runId, member })
}
