/**
 * Turning a SubmitRequest into a checked task offer, in a tab: the peer's
 * prepareTask (src/peer/task-request.ts) with the page's own `fetch`, so a
 * sample URL is relative to the page.
 */
import type { ValidOffer } from '../orchestration/task-protocol/index.ts'
import { prepareTask as preparePeerTask } from '../peer/task-request.ts'
import type { SubmitRequest } from './types.ts'

export { sampleLabel } from '../peer/task-request.ts'

/** The page's fetch, as the peer operations take it. */
export const pageFetch = async (url: string, init?: { signal?: AbortSignal }): Promise<Response> => await fetch(url, init)

/** Loads the module and checks the request as the executor will, before anything is sent. */
export async function prepareTask (taskId: string, request: SubmitRequest, signal?: AbortSignal): Promise<{ module: Uint8Array<ArrayBuffer>, offer: ValidOffer }> {
  return preparePeerTask(taskId, request, pageFetch, signal)
}
