/**
 * Which peer this tab is. Tabs of one browser profile share IndexedDB, so
 * two open at once would load the same identity and join the mesh twice as
 * one PeerId, each overwriting the other's channels and history. Each tab
 * therefore holds a Web Lock (W3C Web Locks API) on a peer slot for as long
 * as it lives: the first tab takes slot 0, whose database is "zerostate"; a
 * second tab open at the same time takes slot 1 ("zerostate-1"), and so on.
 * Each slot keeps its own identity and everything learnt in its own
 * database, for whichever tab takes that slot next — so a lone tab is always
 * the same peer across reloads.
 */
import { nameError } from '../core/index.ts'

/** Tabs of one profile that can be peers at once. */
export const MAX_PEER_SLOTS = 16

/** Thrown when every peer slot is held by another open tab of this browser profile. */
export class TooManyTabsError extends Error {
  static { nameError(this, 'TooManyTabsError') }
}

/** The IndexedDB database of a slot: slot 0 keeps the name every earlier version used. */
export function databaseName (slot: number): string {
  return slot === 0 ? 'zerostate' : `zerostate-${slot}`
}

/**
 * Takes the lowest free slot and holds it until the tab goes away (the lock
 * is released with the page). Without the Web Locks API every tab is slot 0,
 * as before it.
 */
export async function claimPeerSlot (locks: LockManager | null = globalThis.navigator?.locks ?? null): Promise<number> {
  if (locks === null) return 0
  for (let slot = 0; slot < MAX_PEER_SLOTS; slot++) {
    const taken = await new Promise<boolean>((resolve, reject) => {
      locks.request(`zerostate-peer-slot-${slot}`, { ifAvailable: true }, async lock => {
        resolve(lock !== null)
        // Held for the life of the page: this promise never settles.
        if (lock !== null) await new Promise<never>(() => {})
      }).catch(reject)
    })
    if (taken) return slot
  }
  throw new TooManyTabsError(`all ${MAX_PEER_SLOTS} peer slots are held by other tabs of this browser; close one and reload`)
}
