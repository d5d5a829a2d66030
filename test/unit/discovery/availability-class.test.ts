/**
 * The availability class (docs/agent-card.md §11): classification from
 * observations, the probe that measures them, the card members and their
 * vector dimensions, and the card service republishing on a change within
 * the receivers' rate.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ed25519Sign } from '../../../src/crypto/index.ts'
import {
  AGENT_CARD_REFRESH_MS, AgentCardService, AvailabilityProbe, LAG_WINDOW, MAX_TIMER_LAG_MS, MINUTE_WAKE_UP_LAG_MS, THROTTLED_LAG_MS, VECTOR_BLOCKS, agentCardToJson,
  capabilityVector, classifyAvailability, isThrottled, lagBand, parseAgentCard, queryVector, signAgentCard, verifyAgentCard
} from '../../../src/discovery/index.ts'
import type { AgentCard, AvailabilityClass, CardAvailability, MeasuredAvailability, ObservedPage } from '../../../src/discovery/index.ts'
import { AVAILABILITY_REPUBLISH_MIN_MS } from '../../../src/discovery/constants.ts'
import { createMemoryStore } from '../../../src/storage/index.ts'
import type { ZeroStateRecords } from '../../../src/peer/store.ts'
import { ISSUED_AT, cardPubsub, exampleFields, peer, signedExample, thrown } from './fixtures.ts'

const NOW = ISSUED_AT + 1000
const CLASS_DIM = VECTOR_BLOCKS.availability.start + 3
const INSTALLED_DIM = VECTOR_BLOCKS.availability.start + 4

describe('classifyAvailability', () => {
  it('calls a hidden tab background whatever its timers say, before and after the first sample', () => {
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [] })).toEqual({ class: 'background' })
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1, 2] })).toEqual({ class: 'background', timerLagMs: 2 })
    expect(classifyAvailability({ visible: false, standalone: true, lagSamplesMs: [998, 1001, 1000] })).toEqual({ class: 'background', timerLagMs: 1001 })
  })

  it('gives a hidden tab the worst recent lag, or how overdue its probe is: one-minute wake-ups show at once', () => {
    // Chromium's intensive throttling: the 1 Hz samples, then the first once-a-minute one.
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1000, 1001, 59_012] })).toEqual({ class: 'background', timerLagMs: 59_012 })
    // Between two wake-ups the probe is already this late, before its sample exists.
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1000, 1000, 1000], overdueMs: 42_400.4 })).toEqual({ class: 'background', timerLagMs: 42_400 })
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1000], overdueMs: -500 })).toEqual({ class: 'background', timerLagMs: 1000 })
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [1000], overdueMs: 4e6 }).timerLagMs).toBe(MAX_TIMER_LAG_MS)
    // No sample yet: no figure, overdue or not.
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [], overdueMs: 5000 })).toEqual({ class: 'background' })
    // A visible tab keeps the median, and an overdue probe there is most likely the long task asking: ignored.
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [3, 2500, 4], overdueMs: 2500 })).toEqual({ class: 'foreground', timerLagMs: 4 })
  })

  it('calls a visible tab foreground, and installed when it runs as an app', () => {
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [] })).toEqual({ class: 'foreground' })
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [2, 1, 3] })).toEqual({ class: 'foreground', timerLagMs: 2 })
    expect(classifyAvailability({ visible: true, standalone: true, lagSamplesMs: [4] })).toEqual({ class: 'installed', timerLagMs: 4 })
  })

  it('calls a visible tab whose timers fire late throttled, by the median: one long task does not flip it', () => {
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [3, 2500, 4] }).class).toBe('foreground')
    expect(classifyAvailability({ visible: true, standalone: true, lagSamplesMs: [THROTTLED_LAG_MS, 5, THROTTLED_LAG_MS + 1] }).class).toBe('background')
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [THROTTLED_LAG_MS - 1, THROTTLED_LAG_MS - 1] }).class).toBe('foreground')
    // Only the latest LAG_WINDOW samples count.
    const old = Array.from({ length: 10 }, () => 5000)
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [...old, ...Array.from({ length: LAG_WINDOW }, () => 1)] }))
      .toEqual({ class: 'foreground', timerLagMs: 1 })
  })

  it('rounds the lag, caps it, and reads a negative or non-finite sample as none or 0', () => {
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [1.4, 2.6] }).timerLagMs).toBe(2)
    expect(classifyAvailability({ visible: false, standalone: false, lagSamplesMs: [4e6, 5e6, 6e6] }).timerLagMs).toBe(MAX_TIMER_LAG_MS)
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [-3] }).timerLagMs).toBe(0)
    expect(classifyAvailability({ visible: true, standalone: false, lagSamplesMs: [Number.NaN] })).toEqual({ class: 'foreground' })
  })

  it('tells the regimes of a lag apart: unthrottled, a wake-up a second, a wake-up a minute', () => {
    expect([undefined, 0, THROTTLED_LAG_MS - 1, THROTTLED_LAG_MS, 1000, MINUTE_WAKE_UP_LAG_MS - 1, MINUTE_WAKE_UP_LAG_MS, 59_000].map(lagBand))
      .toEqual([0, 0, 0, 1, 1, 1, 2, 2])
  })

  it('takes a card as throttled when its class is background, or it has none and is hidden', () => {
    const cases: Array<[Pick<CardAvailability, 'visible' | 'class'>, boolean]> = [
      [{ visible: true, class: 'foreground' }, false],
      [{ visible: true, class: 'installed' }, false],
      [{ visible: true, class: 'background' }, true],
      [{ visible: false, class: 'background' }, true],
      [{ visible: true }, false],
      [{ visible: false }, true]
    ]
    for (const [availability, throttled] of cases) expect(isThrottled(availability), JSON.stringify(availability)).toBe(throttled)
  })
})

interface TestPage {
  page: ObservedPage
  /** Armed timer callbacks, oldest first. */
  timers: Array<() => void>
  clock: { now: number }
  show(visible: boolean): void
  /** Sets the clock to `atMs` and fires the oldest armed timer. */
  fire(atMs: number): void
  pending(): number
}

/** A page whose visibility the test sets, and timers the test fires. */
function testPage (): TestPage {
  let visible = true
  const listeners = new Set<() => void>()
  const clock = { now: 0 }
  const timers: Array<() => void> = []
  return {
    page: {
      visible: () => visible,
      standalone: () => false,
      subscribe: listener => { listeners.add(listener); return () => { listeners.delete(listener) } }
    },
    show (next) { visible = next; for (const listener of listeners) listener() },
    clock,
    fire (atMs) {
      clock.now = atMs
      const timer = timers.shift()
      if (timer === undefined) throw new Error('no timer armed')
      timer()
    },
    pending: () => timers.length,
    timers
  }
}

describe('AvailabilityProbe', () => {
  function probeOn (t: TestPage, changes: MeasuredAvailability[]): AvailabilityProbe {
    const { timers } = t
    return new AvailabilityProbe({
      now: () => t.clock.now,
      page: t.page,
      setTimeout: callback => { timers.push(callback); return timers.length },
      clearTimeout: () => { timers.length = 0 }
    }, { delayMs: 1000, onChange: availability => { changes.push(availability) } })
  }

  it('measures how late its timer fires and reports a change of class or of lag regime, not every change of lag', () => {
    const t = testPage()
    const changes: MeasuredAvailability[] = []
    const probe = probeOn(t, changes)
    probe.start()
    probe.start()
    expect(t.pending()).toBe(1)
    expect(probe.current()).toEqual({ class: 'foreground' })
    t.fire(1003)
    t.fire(2004)
    expect(probe.current()).toEqual({ class: 'foreground', timerLagMs: 2 })
    expect(changes).toEqual([])
    // Hidden: background at once, before any throttled sample.
    t.show(false)
    expect(probe.current()).toEqual({ class: 'background' })
    expect(changes).toEqual([{ class: 'background' }])
    // The timer armed while visible straddles the change: no sample from it.
    t.fire(3500)
    expect(probe.current()).toEqual({ class: 'background' })
    t.fire(5500)
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 1000 })
    // The first throttled sample: now about a wake-up a second, which the card should say.
    expect(changes).toEqual([{ class: 'background' }, { class: 'background', timerLagMs: 1000 }])
    t.fire(6520)
    expect(changes).toHaveLength(2)
    // To the front again: foreground at once; the throttled samples are dropped.
    t.show(true)
    expect(probe.current()).toEqual({ class: 'foreground' })
    expect(changes.map(change => change.class)).toEqual(['background', 'background', 'foreground'])
    t.fire(60_000) // armed while hidden: no sample
    t.fire(61_001)
    expect(probe.current()).toEqual({ class: 'foreground', timerLagMs: 1 })
    probe.stop()
    probe.stop()
    expect(t.pending()).toBe(0)
  })

  it('calls a visible page whose timers keep firing late background', () => {
    const t = testPage()
    const changes: MeasuredAvailability[] = []
    const probe = probeOn(t, changes)
    probe.start()
    let at = 0
    for (const lag of [900, 950, 1000]) {
      at += 1000 + lag
      t.fire(at)
    }
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 950 })
    expect(changes.map(change => change.class)).toEqual(['background'])
    probe.stop()
  })

  it('in a hidden page, says how overdue its pending timer already is between once-a-minute wake-ups', () => {
    const t = testPage()
    const changes: MeasuredAvailability[] = []
    const probe = probeOn(t, changes)
    probe.start()
    t.show(false)
    t.fire(1000) // armed while visible: no sample
    t.fire(3000) // due at 2000
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 1000 })
    // Due at 4000; Chromium holds it until the next minute. A card published meanwhile (from a network event) reads the lag so far.
    t.clock.now = 34_000
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 30_000 })
    t.fire(60_000)
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 56_000 })
    // Stopped: nothing pending, nothing overdue.
    probe.stop()
    t.clock.now = 200_000
    expect(probe.current()).toEqual({ class: 'background', timerLagMs: 56_000 })
    // Each regime told once: hidden, a wake-up a second, a wake-up a minute.
    expect(changes).toEqual([{ class: 'background' }, { class: 'background', timerLagMs: 1000 }, { class: 'background', timerLagMs: 56_000 }])
  })

  it('refuses a delay that is not a positive number of ms', () => {
    const t = testPage()
    expect(() => new AvailabilityProbe({ now: () => 0, page: t.page }, { delayMs: 0 })).toThrow(RangeError)
  })
})

describe('the card members', () => {
  async function signedWith (availability: CardAvailability): Promise<AgentCard> {
    const identity = await peer()
    return signAgentCard(exampleFields(identity, { availability }), identity)
  }

  it('signs, verifies and round-trips a card stating its class and lag, in specification order', async () => {
    const card = await signedWith({ visible: false, charging: true, battery: 0.8, class: 'background', timerLagMs: 1000 })
    await verifyAgentCard(card, { now: NOW })
    expect(parseAgentCard(JSON.parse(agentCardToJson(card)))).toEqual(card)
    expect(Object.keys(JSON.parse(agentCardToJson(card)).availability)).toEqual(['visible', 'charging', 'battery', 'class', 'timerLagMs'])
  })

  it('keeps a card without them valid and its vector as before (dims 115–116 are 0)', async () => {
    const card = await signedExample()
    await verifyAgentCard(card, { now: NOW })
    expect(card.capabilityVector[CLASS_DIM]).toBe(0)
    expect(card.capabilityVector[INSTALLED_DIM]).toBe(0)
  })

  it('refuses an unknown class and a lag out of range, naming the field', async () => {
    const card = await signedWith({ visible: true, class: 'foreground', timerLagMs: 3 })
    const json = JSON.parse(agentCardToJson(card))
    for (const [member, value, field] of [
      ['class', 'asleep', 'availability.class'],
      ['class', null, 'availability.class'],
      ['timerLagMs', -1, 'availability.timerLagMs'],
      ['timerLagMs', 1.5, 'availability.timerLagMs'],
      ['timerLagMs', MAX_TIMER_LAG_MS + 1, 'availability.timerLagMs'],
      ['asleep', true, 'availability.asleep']
    ] as const) {
      const bad = structuredClone(json)
      bad.availability[member] = value
      expect(thrown(() => parseAgentCard(bad)).field, `${member}: ${String(value)}`).toBe(field)
    }
  })

  it('puts the class in the vector: unthrottled +, background −, installed on its own dimension', async () => {
    const fields = exampleFields(await peer())
    const at = (availabilityClass: AvailabilityClass): [number, number] => {
      const v = capabilityVector({ ...fields, availability: { visible: availabilityClass !== 'background', class: availabilityClass } })
      return [v[CLASS_DIM]!, v[INSTALLED_DIM]!]
    }
    expect(at('foreground')).toEqual([0.25, 0])
    expect(at('installed')).toEqual([0.25, 0.25])
    expect(at('background')).toEqual([-0.25, 0])
    expect(queryVector({ latencySensitive: true })[CLASS_DIM]).toBe(0.25)
    expect(queryVector({})[CLASS_DIM]).toBe(0)
  })

  it('a card whose class was changed after signing fails the signature', async () => {
    const card = await signedWith({ visible: true, class: 'foreground' })
    const forged = structuredClone(card)
    forged.availability.class = 'installed'
    await expect(verifyAgentCard(forged, { now: NOW })).rejects.toMatchObject({ name: expect.stringMatching(/AgentCard(Signature|VectorMismatch)Error/) })
  })
})

describe('AgentCardService and the availability class', () => {
  afterEach(() => { vi.useRealTimers() })

  it('publishes the class it is given, republishes on a change at once, and at most once per AVAILABILITY_REPUBLISH_MIN_MS', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
    // Cards signed by noble within the turn that asks: the test steps fake timers and counts the cards published by
    // then, which a signature made on WebCrypto's own thread (the default, crypto/ed25519.ts) would reach later.
    const made = await peer()
    const identity = { ...made, sign: async (message: Uint8Array) => ed25519Sign(message, made.seed) }
    const { pubsub, sent } = cardPubsub(identity)
    let measured: MeasuredAvailability = { class: 'foreground', timerLagMs: 2 }
    const service = new AgentCardService({ identity, store: createMemoryStore<ZeroStateRecords>(), pubsub }, {
      benchmark: { fuelPerMs: 1, reference: 'a'.repeat(64) },
      own: () => ({ contributing: true, workerSlots: 1, memoryLimitBytes: 2 ** 20, tags: [], prices: { perMegaFuel: 0, perSecond: 0, perMb: 0 }, warmModules: [] }),
      visible: () => measured.class !== 'background',
      availability: () => measured
    })
    await service.start()
    expect(sent.map(card => card.availability)).toEqual([{ visible: true, class: 'foreground', timerLagMs: 2 }])

    measured = { class: 'background' }
    service.availabilityChanged()
    // Published at once, not through a timer (one armed from the probe's chain would wait for a once-a-minute wake-up): only the refresh interval is armed.
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(0)
    expect(sent.at(-1)?.availability).toEqual({ visible: false, class: 'background' })
    expect(sent).toHaveLength(2)

    // Back and forth within the interval: one more card, when it ends, with the class as it is then.
    measured = { class: 'foreground' }
    service.availabilityChanged()
    measured = { class: 'background', timerLagMs: 1000 }
    service.availabilityChanged()
    measured = { class: 'installed', timerLagMs: 1 }
    service.availabilityChanged()
    await vi.advanceTimersByTimeAsync(AVAILABILITY_REPUBLISH_MIN_MS - 1)
    expect(sent).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sent).toHaveLength(3)
    expect(sent.at(-1)?.availability).toEqual({ visible: true, class: 'installed', timerLagMs: 1 })

    // Flapping for a whole refresh period stays within the receivers' 6 cards a minute.
    const before = sent.length
    for (let ms = 0; ms < AGENT_CARD_REFRESH_MS; ms += 500) {
      measured = { class: measured.class === 'background' ? 'foreground' : 'background' }
      service.availabilityChanged()
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(sent.length - before).toBeLessThanOrEqual(6)
    service.stop()
  })
})
