import { describe, expect, it } from 'vitest'
import type { MetricsView, PeerView, ReceiptRecord } from '../../../src/app/index.ts'
import {
  channelTotals, cpuShare, earnedSince, lastValue, meshFigures, startOfLocalDay, tasksServedSince, throughputView
} from '../../../src/ui/home-figures.ts'
import { demoLedger, demoReceipt, demoState } from './fake-app.ts'

const HOUR = 3_600_000
/** 2024-03-05 15:00 local time: mid-afternoon, so an hour either side stays the same day. */
const NOW = new Date(2024, 2, 5, 15, 0, 0).getTime()
const SELF = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const ALICE = '12D3KooWA1iceQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Ab'

const record = (role: ReceiptRecord['role'], storedAt: number, taskId = `t-${storedAt}-${role}`): ReceiptRecord => ({
  receipt: demoReceipt(taskId, role === 'executor' ? SELF : ALICE, role === 'executor' ? ALICE : SELF, storedAt - 100),
  role,
  label: 'echo',
  stdoutPreview: '',
  storedAt
})

describe('startOfLocalDay', () => {
  it('is local midnight of the same day', () => {
    const start = startOfLocalDay(NOW)
    const day = new Date(start)
    expect([day.getFullYear(), day.getMonth(), day.getDate(), day.getHours(), day.getMinutes(), day.getSeconds(), day.getMilliseconds()])
      .toEqual([2024, 2, 5, 0, 0, 0, 0])
    expect(startOfLocalDay(start)).toBe(start)
    expect(startOfLocalDay(start - 1)).toBeLessThan(start)
  })
})

describe('tasksServedSince', () => {
  const today = startOfLocalDay(NOW)

  it('counts only executor records stored today', () => {
    const history = [
      record('executor', NOW - HOUR),
      record('submitter', NOW - HOUR),
      record('executor', today),
      record('executor', today - 1),
      record('executor', today - 30 * HOUR)
    ]
    expect(tasksServedSince(history, today, 50)).toEqual({ count: 2, atLeast: false })
  })

  it('is 0 for no history', () => {
    expect(tasksServedSince([], today, 50)).toEqual({ count: 0, atLeast: false })
  })

  it('is a lower bound when the history the page holds is full and all of it is from today', () => {
    const full = Array.from({ length: 3 }, (_, i) => record('executor', NOW - i * 1000))
    expect(tasksServedSince(full, today, 3)).toEqual({ count: 3, atLeast: true })
    // One record from yesterday at the end: nothing of today was cut off.
    const reachesYesterday = [...full.slice(0, 2), record('executor', today - HOUR)]
    expect(tasksServedSince(reachesYesterday, today, 3)).toEqual({ count: 2, atLeast: false })
  })
})

describe('channelTotals', () => {
  it('reads earned from channels it is paid on and spent from those it pays into', () => {
    // demoLedger: 2,500 µ paid to Alice (side a), 7,000 µ from Bob (side b).
    expect(channelTotals(demoLedger(NOW).channels)).toEqual({ earned: 7_000, spent: 2_500 })
  })

  it('is zero without channels', () => {
    expect(channelTotals([])).toEqual({ earned: 0, spent: 0 })
  })
})

describe('earnedSince', () => {
  it('sums payments received since the time, less refunds given', () => {
    const ledger = demoLedger(NOW)
    // The 7,000 µ from Bob came an hour ago; the refund of 1,500 µ was to this tab (in), so it is not an earning.
    expect(earnedSince(ledger.payments, NOW - 2 * HOUR)).toBe(7_000)
    expect(earnedSince(ledger.payments, NOW - HOUR + 2_000)).toBe(0)
    const [refund] = ledger.payments
    expect(earnedSince([...ledger.payments, { ...refund!, direction: 'out', at: NOW }], NOW - 2 * HOUR)).toBe(5_500)
  })
})

describe('meshFigures', () => {
  it('leaves relays out, and counts direct peers and contributing cards', () => {
    const peers: PeerView[] = [
      { peerId: 'relay', transports: ['websocket'], isRelay: true, contributing: false, slots: 0 },
      { peerId: 'a', transports: ['webrtc'], isRelay: false, contributing: true, slots: 2 },
      { peerId: 'b', transports: ['relayed'], isRelay: false, contributing: false, slots: 0 }
    ]
    const cards = demoState(NOW).cards
    expect(meshFigures(peers, cards)).toEqual({ peers: 2, direct: 1, contributing: cards.length })
  })
})

describe('cpuShare and the throughput chart', () => {
  const view: MetricsView = {
    sampleIntervalMs: 1000,
    at: NOW,
    hasData: true,
    charts: [
      { id: 'tasks', title: 'Tasks', unit: 'tasks/s', times: [1, 2, 3], series: [{ label: 'submitted', values: [null, 1, 0] }] },
      { id: 'workers', title: 'Worker slots', unit: 'slots', times: [1, 2, 3], series: [{ label: 'contributed', values: [2, 2, 2] }, { label: 'busy', values: [0, 1, null] }] }
    ]
  }

  it('reads the last sampled value, skipping a trailing gap', () => {
    expect(lastValue(view, 'workers', 'busy')).toBe(1)
    expect(lastValue(view, 'workers', 'nope')).toBeNull()
    expect(lastValue(undefined, 'workers', 'busy')).toBeNull()
  })

  it('gives the slots contributed of the machine, and busy ones only while contributing', () => {
    expect(cpuShare({ contributing: true, slots: 2, maxSlots: 8, metrics: view })).toEqual({ contributed: 2, machine: 8, busy: 1 })
    expect(cpuShare({ contributing: false, slots: 2, maxSlots: 8, metrics: view })).toEqual({ contributed: 0, machine: 8, busy: null })
  })

  it('keeps only the tasks chart', () => {
    expect(throughputView(view)?.charts.map(c => c.id)).toEqual(['tasks'])
    expect(throughputView(undefined)).toBeUndefined()
  })
})
