/**
 * The pure parts of the mesh commands (src/cli/cli-output.ts): argument
 * checks, durations, rates and ETAs, a job's JSON Lines, the workflow
 * table's rows from a status and a log, the peers' and the ledger's views.
 */
import { describe, expect, it } from 'vitest'
import {
  UsageError, describeOutput, errorLine, etaMs, foldStepTimings, formatDuration, inputLines, jobProgressLine, jobResultJson, ledgerSummary, logLine,
  outputName, parseCount, parseInputSpec, parsePair, peerRows, stepLine, stepRows, table, useColor
} from '../../../src/cli/cli-output.ts'
import type { RunEvent, RunStatus } from '../../../src/orchestration/workflow/scheduler/index.ts'
import type { LedgerView } from '../../../src/peer/types.ts'

describe('argument checks', () => {
  it('takes whole numbers in range and names the option otherwise', () => {
    expect(parseCount('--slice', '25', 1)).toBe(25)
    for (const bad of ['0', '1.5', 'x', '', ' ', '-3']) expect(() => parseCount('--slice', bad, 1)).toThrow(UsageError)
    expect(() => parseCount('--redundancy', '6', 1, 5)).toThrow(/--redundancy must be a whole number from 1 to 5, got "6"/)
  })

  it('splits NAME=VALUE at the first = and refuses an empty name', () => {
    expect(parsePair('--env', 'A=b=c')).toEqual(['A', 'b=c'])
    expect(parsePair('--env', 'A=')).toEqual(['A', ''])
    expect(() => parsePair('--env', '=x')).toThrow(/--env =x: expected NAME=VALUE/)
    expect(() => parsePair('--file', 'noequals')).toThrow(UsageError)
  })

  it('reads --input as a value or a path after @', () => {
    expect(parseInputSpec('text=hello = world')).toEqual({ name: 'text', value: 'hello = world' })
    expect(parseInputSpec('photo=@img/a.png')).toEqual({ name: 'photo', path: 'img/a.png' })
    expect(parseInputSpec('docs=@dir/')).toEqual({ name: 'docs', path: 'dir/' })
    expect(() => parseInputSpec('x=@')).toThrow(UsageError)
  })

  it('takes a text\'s non-empty lines as a job\'s inputs, CRLF or LF', () => {
    expect(inputLines('a\r\nb\n\nc')).toEqual(['a', 'b', 'c'])
    expect(inputLines('\n\n')).toEqual([])
  })
})

describe('what is written', () => {
  it('names errors by name and tells how to get past a locked directory', () => {
    expect(errorLine(Object.assign(new Error('lost'), { name: 'ExecutorLostError' }))).toBe('ExecutorLostError: lost')
    expect(errorLine(Object.assign(new Error('/d is in use by process 42'), { name: 'StoreLockedError' }))).toMatch(/^StoreLockedError: \/d is in use by process 42\. .*another --dir .*zerostate contribute/)
    expect(errorLine('plain')).toBe('plain')
  })

  it('colours a terminal only, and never with NO_COLOR or TERM=dumb', () => {
    expect(useColor({}, true)).toBe(true)
    expect(useColor({}, false)).toBe(false)
    expect(useColor({ NO_COLOR: '1' }, true)).toBe(false)
    expect(useColor({ NO_COLOR: '' }, true)).toBe(true)
    expect(useColor({ TERM: 'dumb' }, true)).toBe(false)
    expect(table(['a'], [['x']], false)).not.toMatch(/\x1b\[/) // eslint-disable-line no-control-regex
  })

  it('formats durations, rates and ETAs', () => {
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(12_345)).toBe('12.3 s')
    expect(formatDuration(125_000)).toBe('2m05s')
    expect(formatDuration(3_720_000)).toBe('1h02m')
    expect(formatDuration(-1)).toBe('?')
    expect(etaMs(0, 10, 1000)).toBeUndefined()
    expect(etaMs(5, 10, 1000)).toBe(1000)
    expect(jobProgressLine(50, 200, 10_000)).toBe('50/200 inputs, 5.0/s, ETA 30.0 s')
    expect(jobProgressLine(200, 200, 40_000, 3)).toBe('200/200 inputs, 3 failed, 5.0/s, took 40.0 s')
  })

  it('writes a job result as one JSON line: output or error, executor, task', () => {
    expect(JSON.parse(jobResultJson({ index: 3, output: 'de', exitCode: 0, executor: 'P', taskId: 'T' }))).toEqual({ index: 3, output: 'de', exitCode: 0, executor: 'P', taskId: 'T' })
    expect(JSON.parse(jobResultJson({ index: 4, error: 'quarantined: x' }))).toEqual({ index: 4, error: 'quarantined: x' })
    expect(JSON.parse(jobResultJson({ index: 0, output: '', files: [['out.png', new Uint8Array(7)]] }))).toMatchObject({ files: [{ path: 'out.png', bytes: 7 }] })
  })

  it('names output files by their input\'s name, else by a zero-padded index', () => {
    expect(outputName(7, 200)).toBe('007')
    expect(outputName(0, 1)).toBe('0')
    expect(outputName(1, 2, ['a.png', 'b.png'])).toBe('b.png')
  })
})

describe('the workflow view', () => {
  const status: RunStatus = {
    runId: 'wf-1',
    state: 'working',
    counts: { submitted: 1, working: 1, completed: 1, failed: 0, canceled: 0, skipped: 1 },
    steps: [
      { name: 'detect', state: 'working', phase: 'Running', attempts: 3, items: { done: 2, total: 5 } },
      { name: 'stats', state: 'completed', phase: 'Succeeded', attempts: 1, executors: ['12D3KooWexecutorAAAAAAAAAAAA'] },
      { name: 'alarm', state: 'skipped', phase: 'Skipped', attempts: 0, skipReason: 'when is false' },
      { name: 'archive', state: 'submitted', phase: 'Pending', attempts: 0 }
    ]
  }
  const events: RunEvent[] = [
    { type: 'scheduled', at: 1000, step: 'detect', item: 0 },
    { type: 'scheduled', at: 1000, step: 'stats' },
    { type: 'started', at: 1100, step: 'detect', item: 0, attempt: 1, executor: '12D3KooWtabBBBBBBBBBBBBBBBBB' },
    { type: 'succeeded', at: 1500, step: 'stats', attempt: 1, outputs: { stdout: '', stdoutHash: '', files: {} }, executor: '12D3KooWexecutorAAAAAAAAAAAA' },
    { type: 'skipped', at: 1600, step: 'alarm', reason: 'when is false' }
  ]

  it('gives each step its state, executor, progress and duration from the status and the log', () => {
    const rows = stepRows(status, foldStepTimings(new Map(), events), 4000)
    expect(rows).toEqual([
      { step: 'detect', state: 'working', executor: '…BBBBBBBBBB', progress: '2/5', durationMs: 3000 },
      { step: 'stats', state: 'completed', executor: '…AAAAAAAAAA', progress: '', durationMs: 500 },
      { step: 'alarm', state: 'skipped', executor: '', progress: 'when is false' },
      { step: 'archive', state: 'submitted', executor: '', progress: '' }
    ])
    expect(stepLine(rows[0]!)).toBe('detect: working, 2/5, on …BBBBBBBBBB, 3.0 s')
  })

  it('writes log lines and outputs for people', () => {
    expect(logLine(events[2]!)).toMatch(/^1970-01-01T00:00:01\.100Z {2}started {5}detect\[0\] attempt 1 on 12D3KooWtab/)
    expect(logLine({ type: 'failed', at: 0, step: 's', attempt: 2, error: { name: 'TaskTrapError', message: 'unreachable' }, retryable: true })).toMatch(/failed {6}s attempt 2: TaskTrapError: unreachable \(retryable\)$/)
    expect(logLine({ type: 'canceled', at: 0, reason: 'user' })).toMatch(/canceled: user$/)
    expect(describeOutput('stats', 'lines: 3', new Map(), new Map())).toBe('stats: lines: 3')
    expect(describeOutput('archive', [{ kind: 'blob', hash: 'ab' }], new Map([['ab', 12]]), new Map([['ab', '/o/archive']]))).toBe('archive: 12 bytes, sha256 ab, saved to /o/archive')
  })
})

describe('peers and ledger', () => {
  const ledger = {
    channels: [{
      channelId: 'ch-1', peer: 'EXEC', side: 'a', status: 'open', updatedAt: 5,
      latest: { state: { channelId: 'ch-1', a: 'ME', b: 'EXEC', depositA: 100, depositB: 0, balanceA: 70, balanceB: 30, sequence: 3, final: false, at: 5 }, signatures: {} }
    }],
    payments: [
      { channelId: 'ch-1', sequence: 3, direction: 'out', amount: 20, kind: 'payment', at: 3, receipt: { taskId: 't3' } },
      { channelId: 'ch-1', sequence: 2, direction: 'out', amount: 15, kind: 'payment', at: 2, receipt: { taskId: 't2' } },
      { channelId: 'ch-1', sequence: 1, direction: 'in', amount: 5, kind: 'refund', at: 1, receipt: { taskId: 't1' } }
    ],
    settlements: [], attestations: [{}], reports: [],
    reputation: [{ peerId: 'EXEC', score: 0.9, blacklisted: false, whitelisted: false, history: [] }]
  } as unknown as LedgerView

  it('adds payments up from this peer\'s side and lists its channels\' balances', () => {
    const summary = ledgerSummary('ME', ledger)
    expect(summary.channels).toEqual([{ channelId: 'ch-1', peer: 'EXEC', status: 'open', sequence: 3, balance: 70, peerBalance: 30, updatedAt: 5 }])
    expect(summary.payments).toMatchObject({ count: 3, paid: 30, received: 0, refunds: 1 })
    expect(summary.payments.recent[0]).toEqual({ at: 3, direction: 'out', kind: 'payment', amount: 20, taskId: 't3', peer: 'EXEC' })
    expect(summary.attestations).toBe(1)
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary)
  })

  it('lists executors first, relays last, with their slots and this peer\'s score of them', () => {
    const rows = peerRows([
      { peerId: 'RELAY', transports: ['websocket'], isRelay: true, contributing: false, slots: 0 },
      { peerId: 'EXEC', transports: ['webrtc', 'relayed', 'webrtc'], isRelay: false, contributing: true, slots: 1 },
      { peerId: 'IDLE', transports: ['relayed'], isRelay: false, contributing: false, slots: 0 }
    ], [{ peerId: 'EXEC', workerSlots: 4, prices: { perMegaFuel: 1, perSecond: 0, perMb: 0 }, skills: [{ tags: ['gpu'] }] } as never], ledger)
    expect(rows.map(row => row.peerId)).toEqual(['EXEC', 'IDLE', 'RELAY'])
    expect(rows[0]).toMatchObject({ transports: ['webrtc', 'relayed'], slots: 4, reputation: 0.9, tags: ['gpu'], prices: { perMegaFuel: 1 } })
    expect(rows[1]).toMatchObject({ reputation: 0.5, blacklisted: false })
  })
})
