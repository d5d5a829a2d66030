import { describe, expect, it } from 'vitest'
import {
  abbreviate, decodeOutput, formatBytes, formatCount, formatDuration, formatExpiresIn, formatFuelRate, formatMicro, formatMicroUnits,
  formatPrices, formatUnits, liveElapsedMs, outputFilename, parseArgs, phaseSteps, receiptFilename, runStatus, shortPeerId,
  transportBadges, uploadProblem
} from '../../../src/ui/view-format.ts'

describe('shortPeerId / abbreviate', () => {
  it('keeps both ends of a long id', () => {
    expect(shortPeerId('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')).toBe('12D3KooW…e2Xo')
  })

  it('leaves short text alone', () => {
    expect(abbreviate('abcdef', 3, 3)).toBe('abcdef')
    expect(abbreviate('abcdefgh', 3, 3)).toBe('abc…fgh')
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'], [850, '850 ms'], [1250, '1.25 s'], [12_340, '12.3 s'], [125_000, '2 min 05 s'], [3_599_000, '59 min 59 s'], [3_600_000, '1 h 00 min'],
    [11_220_000, '3 h 07 min'], [86_399_999, '23 h 59 min'], [190_800_000, '2 d 05 h'], [-1, '–'], [Number.NaN, '–']
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('formatBytes', () => {
  it.each([[12, '12 B'], [3482, '3.4 KiB'], [64 * 1024 * 1024, '64.0 MiB']])('%d → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text)
  })
})

describe('formatCount', () => {
  it.each([
    [0, '0'], [999, '999'], [12_345, '12,345'], [50_000_000_000, '50,000,000,000'],
    [Number.MAX_SAFE_INTEGER, '9,007,199,254,740,991'], [Number.NaN, '–']
  ])('%d → %s', (n, text) => {
    expect(formatCount(n)).toBe(text)
  })
})

describe('runStatus', () => {
  it('shows each receipt status with its tone', () => {
    expect(runStatus('ok', 0)).toMatchObject({ text: 'ok', tone: 'ok' })
    expect(runStatus('exit', 3)).toMatchObject({ text: 'exit 3', tone: 'warn' })
    for (const status of ['trap', 'timeout', 'out-of-fuel', 'memory-limit', 'invalid-module'] as const) {
      expect(runStatus(status, null)).toMatchObject({ text: status, tone: 'bad' })
      expect(runStatus(status, null).description).not.toBe('')
    }
  })
})

describe('outputFilename', () => {
  it.each([
    ['result.txt', 'result.txt'], ['out/deep/data.csv', 'data.csv'], ['weird name?.bin', 'weird_name_.bin'],
    ['.hidden', 'hidden'], ['dir/', 'dir'], ['..', 'output'], ['', 'output']
  ])('%j → %s', (path, name) => {
    expect(outputFilename(path)).toBe(name)
  })
})

describe('decodeOutput', () => {
  it('shows UTF-8 text with newlines, tabs and ANSI escapes as text', () => {
    const text = 'héllo\tworld\r\n\u001b[32mok\u001b[0m\n'
    expect(decodeOutput(new TextEncoder().encode(text))).toEqual({ kind: 'text', text })
  })

  it('shows empty output as empty text', () => {
    expect(decodeOutput(new Uint8Array())).toEqual({ kind: 'text', text: '' })
  })

  it('shows invalid UTF-8 as binary', () => {
    expect(decodeOutput(Uint8Array.of(0xff, 0xfe, 0x41))).toEqual({ kind: 'binary', byteLength: 3, hexPreview: 'ff fe 41' })
  })

  it('shows valid UTF-8 with NUL or other control bytes as binary, with a bounded preview', () => {
    const bytes = new Uint8Array(100).fill(0x01)
    const out = decodeOutput(bytes)
    expect(out.kind).toBe('binary')
    if (out.kind !== 'binary') return
    expect(out.byteLength).toBe(100)
    expect(out.hexPreview.endsWith(' …')).toBe(true)
    expect(out.hexPreview.split(' ').length).toBe(64 + 1)
  })
})

describe('phaseSteps', () => {
  it('marks steps before the current one complete', () => {
    expect(phaseSteps('offering').map((s) => s.state)).toEqual(['complete', 'complete', 'current', 'pending', 'pending', 'pending', 'pending'])
  })

  it('marks every step complete when done', () => {
    expect(phaseSteps('done').every((s) => s.state === 'complete')).toBe(true)
  })

  it('draws a failure at the last phase reached', () => {
    expect(phaseSteps('failed', 'running').map((s) => s.state))
      .toEqual(['complete', 'complete', 'complete', 'complete', 'failed', 'pending', 'pending'])
  })

  it('draws a failure on the first step when no earlier phase was seen', () => {
    expect(phaseSteps('failed')[0]?.state).toBe('failed')
  })
})

describe('transportBadges', () => {
  it('gives one badge per transport in a stable order', () => {
    expect(transportBadges(['relayed', 'webrtc', 'relayed'])).toEqual(['WebRTC', 'relayed'])
    expect(transportBadges([])).toEqual([])
  })
})

describe('parseArgs', () => {
  it('splits on runs of whitespace and drops empties', () => {
    expect(parseArgs('  --n  100\tx ')).toEqual(['--n', '100', 'x'])
    expect(parseArgs('')).toEqual([])
  })
})

describe('uploadProblem', () => {
  const wasm = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)

  it('accepts a core module header', () => {
    expect(uploadProblem('a.wasm', wasm)).toBeUndefined()
  })

  it('rejects an empty file', () => {
    expect(uploadProblem('a.wasm', new Uint8Array())).toBe('a.wasm is empty.')
  })

  it('rejects text, a truncated header and a component (version 0x0d)', () => {
    expect(uploadProblem('a.wasm', new TextEncoder().encode('hello world'))).toMatch(/not a WebAssembly module/)
    expect(uploadProblem('a.wasm', wasm.subarray(0, 4))).toMatch(/not a WebAssembly module/)
    expect(uploadProblem('a.wasm', Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00))).toMatch(/not a WebAssembly module/)
  })
})

describe('receiptFilename', () => {
  it('names the file after the task', () => {
    expect(receiptFilename('abc_DEF-1')).toBe('receipt-abc_DEF-1.json')
    expect(receiptFilename('../x y')).toBe('receipt-.._x_y.json')
  })
})

describe('liveElapsedMs', () => {
  it('extrapolates from the last heartbeat with the local clock', () => {
    expect(liveElapsedMs({ elapsedMs: 3000, startedAt: 1 }, 250, 99_999_999)).toBe(3250)
  })

  it('falls back to startedAt before any heartbeat, never negative', () => {
    expect(liveElapsedMs({ startedAt: 10_000 }, undefined, 12_500)).toBe(2500)
    expect(liveElapsedMs({ startedAt: 10_000 }, undefined, 9_000)).toBe(0)
  })

  it('is unknown without either', () => {
    expect(liveElapsedMs({}, undefined, 1)).toBeUndefined()
  })
})

describe('formatFuelRate / formatExpiresIn', () => {
  it('shows an Agent Card speed with digit groups', () => {
    expect(formatFuelRate(412_000)).toBe('412,000 fuel/ms')
  })

  it('counts down to expiry', () => {
    expect(formatExpiresIn(1_240_000, 1_000_000)).toBe('in 4 min 00 s')
    expect(formatExpiresIn(1_000_000, 1_000_000)).toBe('expired')
  })
})

describe('formatMicroUnits', () => {
  it.each([
    [2_500, '0.0025 units (2,500 µ)'],
    [0, '0 units (0 µ)'],
    [1, '0.000001 units (1 µ)'],
    [1_000_000, '1 unit (1,000,000 µ)'],
    [1_234_500_000, '1,234.5 units (1,234,500,000 µ)'],
    [Number.NaN, '–']
  ])('%d µ → %s', (micro, text) => {
    expect(formatMicroUnits(micro)).toBe(text)
  })
})

describe('formatMicro', () => {
  it.each([[2_500, '2,500 µ'], [0, '0 µ'], [Number.POSITIVE_INFINITY, '–']])('%d → %s', (micro, text) => {
    expect(formatMicro(micro)).toBe(text)
  })
})

describe('formatUnits', () => {
  it.each([[2_500, '0.0025 units'], [1_000_000, '1 unit'], [2_000_000, '2 units'], [Number.NaN, '–']])('%d µ → %s', (micro, text) => {
    expect(formatUnits(micro)).toBe(text)
  })
})

describe('formatPrices', () => {
  it('says free for a free executor, else the three prices', () => {
    expect(formatPrices({ perMegaFuel: 0, perSecond: 0, perMb: 0 })).toBe('free')
    expect(formatPrices({ perMegaFuel: 1000, perSecond: 0, perMb: 10 })).toBe('1,000 µ/Mfuel · 0 µ/s · 10 µ/MiB')
  })
})
