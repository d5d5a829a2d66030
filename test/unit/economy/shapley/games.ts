/** Games with known Shapley values, for the shapley tests. */
import { mulberry32 } from '../../../../src/core/index.ts'
import type { CoalitionValue } from '../../../../src/economy/shapley/index.ts'

export const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`)

/**
 * A game given by its Harsanyi dividends: v(S) = Σ_{T ⊆ S} d_T. Its Shapley
 * value is φ_i = Σ_{T ∋ i} d_T / |T| (Harsanyi 1963), known for any n, and each
 * of i's marginal contributions lies in [Σ negative d_T ∋ i, Σ positive d_T ∋ i].
 */
export function dividendGame (n: number, terms: number, seed: number): { players: string[], v: CoalitionValue, phi: Map<string, number>, range: number } {
  const random = mulberry32(seed)
  const players = names(n)
  const dividends: Array<{ members: string[], d: number }> = []
  for (let k = 0; k < terms; k++) {
    const size = 1 + Math.floor(random() * 4)
    const members = new Set<string>()
    while (members.size < Math.min(size, n)) members.add(players[Math.floor(random() * n)]!)
    dividends.push({ members: [...members], d: Math.floor(random() * 2001) - 500 })
  }
  const v: CoalitionValue = S => dividends.reduce((sum, { members, d }) => members.every(p => S.has(p)) ? sum + d : sum, 0)
  const phi = new Map(players.map(p => [p, 0]))
  const low = new Map(players.map(p => [p, 0]))
  const high = new Map(players.map(p => [p, 0]))
  for (const { members, d } of dividends) {
    for (const p of members) {
      phi.set(p, (phi.get(p) ?? 0) + d / members.length)
      if (d < 0) low.set(p, (low.get(p) ?? 0) + d)
      else high.set(p, (high.get(p) ?? 0) + d)
    }
  }
  const range = Math.max(1, ...players.map(p => (high.get(p) ?? 0) - (low.get(p) ?? 0)))
  return { players, v, phi, range }
}

/** A game with an independent random integer value in [0, 1000] for every non-empty coalition (n ≤ 12). */
export function randomGame (n: number, seed: number): { players: string[], v: CoalitionValue } {
  const random = mulberry32(seed)
  const players = names(n)
  const table = Array.from({ length: 1 << n }, (_, mask) => mask === 0 ? 0 : Math.floor(random() * 1001))
  const index = new Map(players.map((p, i) => [p, i]))
  const v: CoalitionValue = S => {
    let mask = 0
    for (const p of S) mask |= 1 << (index.get(p) ?? 0)
    return table[mask]!
  }
  return { players, v }
}
