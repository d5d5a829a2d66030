/** `zerostate contribute`'s arguments: a value it cannot use is a usage error (exit 2), before any store is opened. */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { contributeCommand } from '../../../src/cli/contribute.ts'

describe('zerostate contribute arguments', () => {
  afterEach(() => { vi.restoreAllMocks() })

  it('refuses a guild step price that is not a whole number of µ, naming the flag', async () => {
    const errors: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(line) })
    for (const price of ['-1', '2.5', 'lots']) {
      expect(await contributeCommand([`--guild-step-price=${price}`, '--dir', '/nonexistent/never-opened'])).toBe(2)
    }
    expect(errors).toHaveLength(3)
    for (const line of errors) expect(line).toMatch(/--guild-step-price must be a whole number/)
  })

  it('refuses a collector URL that cannot be one, before anything starts', async () => {
    const errors: string[] = []
    vi.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(line) })
    expect(await contributeCommand(['--otlp-url', 'ftp://collector/v1/traces', '--dir', '/nonexistent/never-opened'])).toBe(2)
    expect(errors.join('\n')).toMatch(/collector URL is http or https/)
  })

  it('lists the guild flags in its usage', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((line: string) => { lines.push(line) })
    expect(await contributeCommand(['--help'])).toBe(0)
    expect(lines.join('\n')).toMatch(/--guild-invites[\s\S]*--guild-step-price/)
  })
})
