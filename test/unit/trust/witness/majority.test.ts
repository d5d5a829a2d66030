import { describe, expect, it } from 'vitest'
import type { Receipt } from '../../../../src/receipts/index.ts'
import { majorityOf } from '../../../../src/trust/witness/index.ts'

const receipt = (executor: string, outputHash: string, fuelUsed = 10): Receipt => ({
  executor, outputHash, fuelUsed, status: 'ok', exitCode: 0, stderrHash: 'e', outputFilesHash: 'f'
}) as unknown as Receipt

describe('majority of redundant executions', () => {
  it('takes the result a strict majority states and names the dissenters', () => {
    const verdict = majorityOf([receipt('a', 'x'), receipt('b', 'y'), receipt('c', 'x')])
    expect(verdict?.agreed.map(r => r.executor)).toEqual(['a', 'c'])
    expect(verdict?.dissenting.map(r => r.executor)).toEqual(['b'])
  })

  it('compares every reproducible field, fuel included', () => {
    expect(majorityOf([receipt('a', 'x', 10), receipt('b', 'x', 11), receipt('c', 'x', 12)])).toBeUndefined()
  })

  it('counts executors that did not answer against a majority', () => {
    expect(majorityOf([receipt('a', 'x'), receipt('b', 'x')], 3)?.agreed).toHaveLength(2)
    expect(majorityOf([receipt('a', 'x'), receipt('b', 'y')], 3)).toBeUndefined()
    expect(majorityOf([receipt('a', 'x')], 3)).toBeUndefined()
    expect(() => majorityOf([receipt('a', 'x'), receipt('b', 'x')], 1)).toThrow(RangeError)
  })
})
