import { describe, expect, it } from 'vitest'
import { reviveError, TaskTrapError, TaskTimeoutError, UnsupportedImportError } from '../../../src/execution/errors.ts'
import { deserializeError, serializeError } from '../../../src/execution/sandbox-protocol.ts'

/** What the pool makes of an error its sandbox worker sent (sandbox-protocol.ts), unrevived. */
function asReceived (err: Error): Error {
  const cloned = structuredClone(serializeError(err))
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

describe('serializeError / deserializeError (the sandbox worker\'s failure message)', () => {
  it('brings a typed error across a structured clone as its class, with its fields', () => {
    const stderr = new TextEncoder().encode('boom')
    const revived = deserializeError(structuredClone(serializeError(new TaskTrapError('Task trapped', stderr))))
    expect(revived).toBeInstanceOf(TaskTrapError)
    expect(revived).toMatchObject({ name: 'TaskTrapError', message: 'Task trapped', stderr })
  })

  it('keeps the name of a built-in error and turns a thrown non-error into an Error', () => {
    expect(deserializeError(structuredClone(serializeError(new RangeError('seed must be 32 bytes'))))).toMatchObject({ name: 'RangeError', message: 'seed must be 32 bytes' })
    expect(deserializeError(structuredClone(serializeError('a string')))).toMatchObject({ name: 'Error', message: 'a string' })
  })
})
