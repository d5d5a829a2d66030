import { describe, expect, it } from 'vitest'
import { nameError } from '../../../src/core/index.ts'

// What a minifier makes of `class FooError extends Error { … }`: the binding is renamed.
const E = class extends Error {
  static { nameError(this, 'FooError') }
  readonly detail: string

  constructor (message: string, detail = '') {
    super(message)
    this.detail = detail
  }
}

const T = class extends E {
  static { nameError(this, 'BarError') }
}

const R = class extends RangeError {
  static { nameError(this, 'BazError') }
}

describe('nameError', () => {
  it('names the class, whatever its binding is called', () => {
    expect(E.name).toBe('FooError')
    expect(T.name).toBe('BarError')
  })

  it('names every instance without an own property', () => {
    const err = new E('it broke', 'why')
    expect(err.name).toBe('FooError')
    expect(err.name).toBe(E.name)
    expect(Object.hasOwn(err, 'name')).toBe(false)
    expect(err.message).toBe('it broke')
    expect(err.detail).toBe('why')
  })

  it('shows the name in String(err) and the stack header', () => {
    const err = new E('it broke')
    expect(String(err)).toBe('FooError: it broke')
    expect(err.stack?.startsWith('FooError: it broke')).toBe(true)
  })

  it('keeps instanceof working', () => {
    const err = new T('nested')
    expect(err).toBeInstanceOf(T)
    expect(err).toBeInstanceOf(E)
    expect(err).toBeInstanceOf(Error)
    expect(new R('out of range')).toBeInstanceOf(RangeError)
  })

  it('gives a subclass of a named class its own name', () => {
    const err = new T('nested')
    expect(err.name).toBe('BarError')
    expect(String(err)).toBe('BarError: nested')
    expect(new E('parent').name).toBe('FooError')
    expect(new R('x').name).toBe('BazError')
  })

  it('makes the name on the class read-only', () => {
    const descriptor = Object.getOwnPropertyDescriptor(E, 'name')
    expect(descriptor?.writable).toBe(false)
    expect(() => { (E as { name: string }).name = 'Other' }).toThrow(TypeError)
    expect(E.name).toBe('FooError')
  })

  it('still lets an instance carry another name, as revived errors do', () => {
    const err = Object.assign(new E('revived'), { name: 'OtherError' })
    expect(err.name).toBe('OtherError')
    expect(new E('fresh').name).toBe('FooError')
  })
})
