/**
 * A tab attaches to DEFAULT_RELAY_LINKS of the relays its server lists, chosen
 * by rendezvous hashing of its PeerId (src/network/relay-choice.ts): stable,
 * even over the relays, and moving only the tabs a removed relay held.
 */
import { describe, expect, it } from 'vitest'
import { chooseRelays, relayIdOf } from '../../../src/network/relay-choice.ts'

const relays = Array.from({ length: 6 }, (_, i) => `/ip4/127.0.0.1/tcp/${9090 + i}/ws/p2p/12D3KooRelay${i}`)
const tabs = Array.from({ length: 3000 }, (_, i) => `12D3KooTab${i}`)

describe('chooseRelays', () => {
  it('chooses `count` relays, in the order listed, the same each time', () => {
    const chosen = chooseRelays(relays, 'tab-a', 2)
    expect(chosen).toHaveLength(2)
    expect(chosen).toEqual(relays.filter(r => chosen.includes(r)))
    expect(chooseRelays([...relays].reverse(), 'tab-a', 2).sort()).toEqual([...chosen].sort())
    expect(new Set(tabs.slice(0, 50).map(t => chooseRelays(relays, t, 2).join()))).not.toEqual(new Set([chosen.join()]))
  })

  it('gives every relay when there are no more than `count`, each relay once', () => {
    const twoAddrsOfOne = [relays[0] as string, (relays[0] as string).replace('127.0.0.1', '10.0.0.1'), relays[1] as string]
    expect(chooseRelays(twoAddrsOfOne, 'tab-a', 2)).toEqual([relays[0], relays[1]])
    expect(chooseRelays(relays.slice(0, 1), 'tab-a', 2)).toEqual(relays.slice(0, 1))
  })

  it('spreads tabs evenly: each of 6 relays holds a third of 3000 tabs, within 10%', () => {
    const held = new Map<string, number>()
    for (const tab of tabs) for (const relay of chooseRelays(relays, tab, 2)) held.set(relay, (held.get(relay) ?? 0) + 1)
    const expected = tabs.length * 2 / relays.length
    for (const relay of relays) expect(Math.abs((held.get(relay) ?? 0) - expected)).toBeLessThan(expected * 0.1)
  })

  it('moves only the tabs that held a relay when it is removed', () => {
    const gone = relays[2] as string
    const rest = relays.filter(r => r !== gone)
    let moved = 0
    for (const tab of tabs) {
      const before = chooseRelays(relays, tab, 2)
      const after = chooseRelays(rest, tab, 2)
      if (before.includes(gone)) {
        moved++
        // The relay it kept stays; one new relay replaces the removed one.
        expect(after.filter(r => before.includes(r))).toHaveLength(1)
      } else {
        expect(after).toEqual(before)
      }
    }
    expect(moved).toBeGreaterThan(0)
  })

  it('refuses fewer than one relay', () => {
    expect(() => chooseRelays(relays, 'tab-a', 0)).toThrow(RangeError)
  })

  it('reads the relay PeerId off an address', () => {
    expect(relayIdOf(relays[3] as string)).toBe('12D3KooRelay3')
  })
})
