/** What a page learns from the server it was loaded from, and from its own URL. */
import { nameError } from '../core/index.ts'
import { CONFIG_PATH, DEFAULT_MAX_PEER_CONNECTIONS, MAX_PEER_CONNECTIONS_LIMIT, MAX_RELAY_LINKS } from '../network/constants.ts'
import type { SampleTask } from './types.ts'

/**
 * Thrown when the page cannot start: no relay list from the server it was
 * loaded from, or IndexedDB refused to open.
 */
export class StartupError extends Error {
  static { nameError(this, 'StartupError') }
}

export async function loadRelayAddrs (): Promise<string[]> {
  const response = await fetch(CONFIG_PATH.slice(1), { cache: 'no-store' }).catch((err: unknown) => {
    throw new StartupError(`could not reach the server for its relay list: ${err instanceof Error ? err.message : String(err)}`)
  })
  if (!response.ok) throw new StartupError(`the server answered ${response.status} for ${CONFIG_PATH}`)
  const config: unknown = await response.json()
  const relays = (config as { relays?: unknown }).relays
  if (!Array.isArray(relays) || relays.length === 0 || !relays.every(r => typeof r === 'string')) {
    throw new StartupError(`${CONFIG_PATH} names no relay`)
  }
  return relays as string[]
}

export async function loadSamples (): Promise<SampleTask[]> {
  const response = await fetch('samples/samples.json')
  if (!response.ok) return []
  return await response.json() as SampleTask[]
}

/**
 * How many peers this tab connects to directly: `?maxPeers=N` in the page's
 * URL (1–64), for small devices or to try forwarding; DEFAULT_MAX_PEER_CONNECTIONS otherwise.
 */
export function maxPeerConnectionsSetting (): number {
  const wanted = Number(new URLSearchParams(location.search).get('maxPeers') ?? Number.NaN)
  return Number.isInteger(wanted) && wanted >= 1 && wanted <= MAX_PEER_CONNECTIONS_LIMIT ? wanted : DEFAULT_MAX_PEER_CONNECTIONS
}

/**
 * Which relays this tab attaches to when the page's URL says: `?relays=0,2`
 * holds links to the first and third relay the server lists (0-based, at most
 * MAX_RELAY_LINKS). Undefined — the tab chooses DEFAULT_RELAY_LINKS of them by
 * its PeerId (network/relay-choice.ts) — when absent, or when it names no
 * listed relay. The tab still reaches peers through every relay listed.
 */
export function attachRelaysSetting (relayAddrs: string[]): string[] | undefined {
  const wanted = new URLSearchParams(location.search).get('relays')
  if (wanted === null) return undefined
  const picked = [...new Set(wanted.split(',').map(Number))]
    .filter(i => Number.isInteger(i) && i >= 0 && i < relayAddrs.length)
    .slice(0, MAX_RELAY_LINKS)
    .map(i => relayAddrs[i] as string)
  return picked.length === 0 ? undefined : picked
}
