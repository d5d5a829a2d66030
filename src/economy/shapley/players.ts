import { InvalidCoalitionValueError, InvalidPlayersError } from './errors.ts'

/** A characteristic function: the value (micro-units for payments) a coalition earns on its own. It must not keep the set it is given. */
export type CoalitionValue = (coalition: ReadonlySet<string>) => number

/** The players sorted by UTF-16 code units, after checking they are distinct non-empty strings. The split never depends on the order it was given. */
export function canonicalPlayers (players: readonly string[]): string[] {
  if (!Array.isArray(players) || players.length === 0) throw new InvalidPlayersError('players must be a non-empty array')
  for (const player of players) {
    if (typeof player !== 'string' || player.length === 0) throw new InvalidPlayersError('every player must be a non-empty string')
  }
  const sorted = [...players].sort(compareIds)
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new InvalidPlayersError(`player ${sorted[i]} is listed twice`)
  }
  return sorted
}

/** Orders player ids by UTF-16 code units (as `<` does), the same in every engine and locale. */
export function compareIds (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Calls v and checks the result is finite. */
export function evaluate (v: CoalitionValue, coalition: ReadonlySet<string>): number {
  const value = v(coalition)
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidCoalitionValueError(`v({${[...coalition].join(', ')}}) is ${String(value)}, not a finite number`)
  }
  return value
}

/** The coalition a bitmask names: bit i set means players[i] is in. */
export function coalitionOf (players: readonly string[], mask: number): Set<string> {
  const coalition = new Set<string>()
  for (let i = 0; i < players.length; i++) if ((mask & (1 << i)) !== 0) coalition.add(players[i]!)
  return coalition
}
