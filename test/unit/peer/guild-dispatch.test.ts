/**
 * A guild's run reaching its executors (src/peer/guild-dispatch.ts): a member
 * that cannot be reached when its step is due is re-awarded at once and the
 * step sent to its new executor; a member that answered (its run failed, it
 * was busy) is not; nor is one still connected.
 */
import { describe, expect, it } from 'vitest'
import { createIdentity } from '../../../src/crypto/identity.ts'
import type { StepOffer, WorkflowAward } from '../../../src/economy/guild/index.ts'
import { ExecutorLostError, RemoteTaskError } from '../../../src/orchestration/task-protocol/index.ts'
import type { ValidOffer } from '../../../src/orchestration/task-protocol/index.ts'
import type { WorkflowDispatch } from '../../../src/orchestration/workflow/runner/index.ts'
import { guildStepDispatch } from '../../../src/peer/guild-dispatch.ts'
import type { AwardedRun } from '../../../src/peer/guild-run.ts'
import type { PeerContext } from '../../../src/peer/context.ts'

const [LEAD, MEMBER, OTHER] = await Promise.all([0, 1, 2].map(async () => (await createIdentity()).peerId.toString()))

function awarded (): AwardedRun {
  const award: WorkflowAward = {
    runId: 'run_1',
    specHash: 'a'.repeat(64),
    budget: 100_000,
    guild: { guildId: 'g', guildHash: 'b'.repeat(64), bidHash: 'c'.repeat(64), lead: LEAD! },
    steps: [
      { step: 'stats', role: 'text-stats', executor: LEAD!, price: 300, source: 'guild' },
      { step: 'zip', role: 'gzip', executor: MEMBER!, price: 300, source: 'guild' }
    ],
    price: 600,
    expectedMs: 10_000,
    reputation: 0.5
  }
  const offers: StepOffer[] = [{ step: 'zip', bidder: OTHER!, price: 7_000, expectedMs: 1000 }]
  return { award, substitutes: [], excluded: [], stepOffers: offers, costs: new Map(), forfeited: [], reputationFloor: 0 }
}

/** A peer context where `connected` peers hold a connection and `announcing` ones are still in the presence directory. */
function context (connected: string[], announcing: string[]): PeerContext {
  return {
    peer: {
      // Every peer neutral and never caught: the standing an award reads (guild-run.ts).
      dispatch: { standing: () => ({ score: 0.5, blacklisted: false }) },
      node: { getConnections: (peer: { toString(): string }) => connected.includes(peer.toString()) ? [{}] : [] },
      mesh: { executors: () => announcing }
    }
  } as unknown as PeerContext
}

/** A dispatch that fails on the executors in `failOn` with `error` and succeeds elsewhere, recording where it sent each task. */
function dispatchFailingOn (failOn: string[], error: () => Error): WorkflowDispatch & { sent: string[] } {
  const sent: string[] = []
  return {
    sent,
    async runOnce (offer, _module, _requirements, request) {
      sent.push(request.executor ?? '(any)')
      if (request.executor !== undefined && failOn.includes(request.executor)) throw error()
      return { outcome: { receipt: { executor: request.executor } } as never, offer }
    }
  }
}

const offer = {} as ValidOffer
const bytes = new Uint8Array(0)

describe('guildStepDispatch', () => {
  it('re-awards the step of a member that left but still looked present, and sends it to the new executor', async () => {
    const run = awarded()
    let saved = 0
    const dispatch = dispatchFailingOn([MEMBER!], () => new ExecutorLostError('no route to the member'))
    // The member's tab closed: no connection, but its last announcement is still in the directory.
    const { executorFor, dispatch: guild } = guildStepDispatch(context([LEAD!], [LEAD!, MEMBER!, OTHER!]), run, dispatch, () => { saved++ })
    const executor = executorFor!('zip')
    expect(executor).toBe(MEMBER)
    await guild.runOnce(offer, bytes, {}, { executor })
    expect(dispatch.sent).toEqual([MEMBER, OTHER])
    expect(run.award.steps.find(step => step.step === 'zip')?.executor).toBe(OTHER)
    expect(run.forfeited.map(step => step.executor)).toEqual([MEMBER])
    expect(saved).toBe(1)
    // Asked again (a later attempt), the step stays with its new executor.
    expect(executorFor!('zip')).toBe(OTHER)
  })

  it('keeps the step with a member that answered (its run failed there) or is still connected', async () => {
    const answered = awarded()
    const failedRun = dispatchFailingOn([MEMBER!], () => new RemoteTaskError('TrapError', 'unreachable executed'))
    const first = guildStepDispatch(context([LEAD!], [LEAD!, MEMBER!]), answered, failedRun, () => {})
    await expect(first.dispatch.runOnce(offer, bytes, {}, { executor: first.executorFor!('zip') })).rejects.toThrow('unreachable executed')
    expect(failedRun.sent).toEqual([MEMBER])
    expect(answered.forfeited).toEqual([])

    const connected = awarded()
    const lost = dispatchFailingOn([MEMBER!], () => new ExecutorLostError('the stream died'))
    const second = guildStepDispatch(context([LEAD!, MEMBER!], [LEAD!, MEMBER!]), connected, lost, () => {})
    await expect(second.dispatch.runOnce(offer, bytes, {}, { executor: second.executorFor!('zip') })).rejects.toThrow('the stream died')
    expect(lost.sent).toEqual([MEMBER])
    expect(connected.forfeited).toEqual([])
  })
})
