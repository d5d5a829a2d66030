import { describe, expect, it } from 'vitest'
import { MAX_JOB_INPUTS, MAX_JOB_SLICES, MultilineInputError, SliceOutputMismatchError, joinLines, planSlices, splitLines } from '../../../../src/orchestration/jobs/index.ts'

describe('planSlices', () => {
  it('cuts inputs into consecutive slices, the last one shorter', () => {
    expect(planSlices(7, 3)).toEqual([
      { index: 0, first: 0, count: 3 },
      { index: 1, first: 3, count: 3 },
      { index: 2, first: 6, count: 1 }
    ])
    expect(planSlices(6, 3).map(s => s.count)).toEqual([3, 3])
  })

  it('makes one slice when the size exceeds the count, and none for no inputs', () => {
    expect(planSlices(2, 10)).toEqual([{ index: 0, first: 0, count: 2 }])
    expect(planSlices(0, 5)).toEqual([])
  })

  it('covers every input exactly once', () => {
    for (const [count, size] of [[1, 1], [10, 1], [99, 7], [1000, 13]] as const) {
      const covered = planSlices(count, size).flatMap(s => Array.from({ length: s.count }, (_, i) => s.first + i))
      expect(covered).toEqual(Array.from({ length: count }, (_, i) => i))
    }
  })

  it('allows exactly MAX_JOB_SLICES slices and refuses one more', () => {
    expect(planSlices(MAX_JOB_SLICES, 1)).toHaveLength(MAX_JOB_SLICES)
    expect(() => planSlices(MAX_JOB_SLICES + 1, 1)).toThrow(RangeError)
    expect(planSlices(MAX_JOB_INPUTS, MAX_JOB_INPUTS / MAX_JOB_SLICES)).toHaveLength(MAX_JOB_SLICES)
  })

  it('refuses a bad slice size or count with a RangeError', () => {
    for (const size of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => planSlices(10, size)).toThrow(RangeError)
    for (const count of [-1, 2.5, Number.NaN, MAX_JOB_INPUTS + 1]) expect(() => planSlices(count, 1000)).toThrow(RangeError)
  })
})

describe('joinLines and splitLines', () => {
  it('round-trips inputs through one stdin and back', () => {
    const inputs = ['bonjour', '', 'hallo welt', ' spaced ']
    const stdin = joinLines(inputs)
    expect(stdin).toBe('bonjour\n\nhallo welt\n spaced \n')
    expect(splitLines(stdin, inputs.length)).toEqual(inputs)
  })

  it('takes the final newline as optional', () => {
    expect(splitLines('fr\nde', 2)).toEqual(['fr', 'de'])
    expect(splitLines('fr\nde\n', 2)).toEqual(['fr', 'de'])
    expect(splitLines('\n', 1)).toEqual([''])
    expect(splitLines('', 0)).toEqual([])
    expect(joinLines([])).toBe('')
  })

  it('keeps carriage returns as the task printed them', () => {
    expect(splitLines('a\r\nb\r\n', 2)).toEqual(['a\r', 'b\r'])
  })

  it('refuses output with the wrong number of lines, naming both counts', () => {
    for (const [stdout, count, actual] of [['a\nb\n', 3, 2], ['a\nb\nc', 2, 3], ['', 1, 0], ['a\n\n', 1, 2], ['x', 0, 1]] as const) {
      let caught: unknown
      try { splitLines(stdout, count) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(SliceOutputMismatchError)
      expect(caught).toMatchObject({ name: 'SliceOutputMismatchError', expected: count, actual })
      expect((caught as Error).message).toContain(String(count))
      expect((caught as Error).message).toContain(String(actual))
    }
  })

  it('refuses an input holding a line break with a TypeError naming its index', () => {
    for (const bad of ['two\nlines', 'cr\r', '\r\n']) {
      let caught: unknown
      try { joinLines(['fine', 'also fine', bad]) } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(TypeError)
      expect(caught).toMatchObject({ name: MultilineInputError.name, index: 2 })
      expect((caught as Error).message).toContain('input 2')
    }
    expect(() => joinLines([42 as unknown as string])).toThrow(TypeError)
  })
})
