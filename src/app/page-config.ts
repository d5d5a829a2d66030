/** What a page learns from the server it was loaded from, and from its own URL. */
import { nameError } from '../core/index.ts'
import { CONFIG_PATH, DEFAULT_MAX_PEER_CONNECTIONS, MAX_PEER_CONNECTIONS_LIMIT } from '../network/constants.ts'
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
