/**
 * A connection for a transfer that may outgrow a relayed connection. Circuit
 * relay v2 ends a relayed connection once its data limit is spent (128 KiB in
 * all by default, kept so on purpose: a relay is not to carry the mesh's
 * bulk), and libp2p exposes what is left as `connection.limits.bytes`: a
 * module or task larger than that is cut off halfway, every time.
 */
import type { Connection } from '@libp2p/interface'

/**
 * Whether `connection` can carry `bytes` (everything the transfer moves, both
 * ways) within its data limit. An unlimited connection carries anything; a
 * limited one carries nothing of unknown size, since a module fetch learns
 * the size only as the bytes come.
 */
export function carries (connection: Connection, bytes?: number): boolean {
  const left = connection.limits?.bytes
  if (left === undefined) return true
  return bytes !== undefined && BigInt(bytes) <= left
}

/**
 * `connection` when it carries `bytes`; else the direct connection `direct`
 * gives (a bounded wait for the mesh's upgrade), or `connection` after all
 * when none comes — the transfer may still fit (an unknown size), and its
 * failure is the caller's to report.
 */
export async function bulkConnection (connection: Connection, bytes: number | undefined, direct: () => Promise<Connection | undefined>): Promise<Connection> {
  if (carries(connection, bytes)) return connection
  return (await direct()) ?? connection
}
