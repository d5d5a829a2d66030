import { describe, expect, it } from 'vitest'
import { reviveError, TaskTrapError, TaskTimeoutError, UnsupportedImportError } from '../../../src/execution/errors.ts'

/** What comlink's default throw handler makes of an error on the receiving side. */
function asReceived (err: Error): Error {
  const cloned = structuredClone({ ...err, name: err.name, message: err.message, stack: err.stack })
  return Object.assign(new Error(cloned.message), cloned)
}

describe('reviveError', () => {
  it('re-creates the typed class from the name, keeping extra fields', () => {
    const stderr = new TextEncoder().encode('boom')
    const revived = reviveError(asReceived(new TaskTrapError('Task trapped: unreachable', stderr)))
    expect(revived).toBeInstanceOf(TaskTrapError)
    expect((revived as TaskTrapError).message).toBe('Task trapped: unreachable')
    expect((revived as TaskTrapError).stderr).toEqual(stderr)
  })

  it('keeps the import name of UnsupportedImportError', () => {
    const revived = reviveError(asReceived(new UnsupportedImportError('nope', 'env.foo')))
    expect(revived).toBeInstanceOf(UnsupportedImportError)
    expect(revived).toHaveProperty('importName', 'env.foo')
  })

  it('leaves unknown errors and typed instances alone', () => {
    const plain = new RangeError('x')
    expect(reviveError(plain)).toBe(plain)
    const typed = new TaskTimeoutError()
    expect(reviveError(typed)).toBe(typed)
    expect(reviveError('a string')).toBe('a string')
  })
})
