/**
 * Small real A2A agents for the server and protocol tests: they do their
 * work in-process (uppercase the text, wait to be canceled, fail) instead
 * of submitting it into the mesh, which the peer layer's tests cover.
 */
import { InvalidA2AParamsError } from '../../../../src/orchestration/a2a/index.ts'
import type { A2AAgent, A2AWork } from '../../../../src/orchestration/a2a/index.ts'

export const textAgent: A2AAgent = {
  async accept (message) {
    const skill = message.metadata?.skill
    const text = message.parts.map(part => part.text ?? '').join('')
    const works: Record<string, A2AWork> = {
      upper: {
        run: async () => ({
          state: 'TASK_STATE_COMPLETED',
          artifacts: [{ artifactId: 'stdout', name: 'stdout', parts: [{ text: text.toUpperCase() }] }],
          metadata: { length: text.length }
        })
      },
      exit: { run: async () => ({ state: 'TASK_STATE_FAILED', artifacts: [], statusText: 'exit code 3' }) },
      boom: { run: async () => { throw new RangeError('no such thing') } },
      wait: {
        run: async ({ signal }) => {
          await new Promise((_resolve, reject) => { signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true }) })
          throw new Error('unreachable')
        }
      }
    }
    const work = typeof skill === 'string' ? works[skill] : undefined
    if (work === undefined) throw new InvalidA2AParamsError(`no skill ${String(skill)}`)
    return work
  }
}
