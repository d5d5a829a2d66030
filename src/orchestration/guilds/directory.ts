/**
 * The guilds a peer knows: verified guild records from the topic and its own,
 * by guild hash (a guild id names no one: anybody can sign a record under
 * any id, so two records with one id are two guilds). Pure: given verified
 * records and the time. Bounded: past `maxGuilds`, the guild that expires
 * soonest goes — it would be the first to be useless anyway.
 */
import type { Guild } from '../../economy/guild/index.ts'
import { MAX_KNOWN_GUILDS } from './constants.ts'

export type GuildOfferOutcome = 'added' | 'duplicate' | 'expired' | 'capacity'

export class GuildDirectory {
  private readonly maxGuilds: number
  private readonly byHash = new Map<string, Guild>()

  constructor (maxGuilds: number = MAX_KNOWN_GUILDS) {
    if (!Number.isSafeInteger(maxGuilds) || maxGuilds < 1) throw new RangeError('maxGuilds must be a positive safe integer')
    this.maxGuilds = maxGuilds
  }

  /** Takes a guild verifyGuild accepted, under `hash` (its guildHash). */
  offer (guild: Guild, hash: string, now: number): GuildOfferOutcome {
    if (this.byHash.has(hash)) return 'duplicate'
    if (guild.expiresAt <= now) return 'expired'
    this.prune(now)
    if (this.byHash.size >= this.maxGuilds) {
      let soonest: [string, Guild] | undefined
      for (const entry of this.byHash) if (soonest === undefined || entry[1].expiresAt < soonest[1].expiresAt) soonest = entry
      if (soonest === undefined || soonest[1].expiresAt >= guild.expiresAt) return 'capacity'
      this.byHash.delete(soonest[0])
    }
    this.byHash.set(hash, guild)
    return 'added'
  }

  get (hash: string): Guild | undefined {
    return this.byHash.get(hash)
  }

  /** The guilds valid at `now`, by guild id then hash (the same order on every peer). */
  list (now: number): Array<{ hash: string, guild: Guild }> {
    return [...this.byHash]
      .filter(([, guild]) => guild.createdAt <= now && now < guild.expiresAt)
      .sort(([a, x], [b, y]) => compare(x.guildId, y.guildId) || compare(a, b))
      .map(([hash, guild]) => ({ hash, guild }))
  }

  /** The guilds valid at `now` whose members between them list every one of `roles`. */
  able (roles: readonly string[], now: number): Array<{ hash: string, guild: Guild }> {
    return this.list(now).filter(({ guild }) => {
      const listed = new Set(guild.members.flatMap(member => member.roles))
      return roles.every(role => listed.has(role))
    })
  }

  /** Forgets the guilds expired at `now`. */
  prune (now: number): void {
    for (const [hash, guild] of this.byHash) if (guild.expiresAt <= now) this.byHash.delete(hash)
  }

  get size (): number {
    return this.byHash.size
  }
}

function compare (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
