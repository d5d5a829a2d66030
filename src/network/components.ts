/**
 * The narrow parts of a libp2p node that protocol services take as their
 * Components (as js-libp2p's own protocol packages do), instead of the node.
 */
import type { AbortOptions, Connection, Libp2p } from '@libp2p/interface'

/** Registers and removes a protocol's stream handler. */
export type ProtocolRegistrar = Pick<Libp2p, 'handle' | 'unhandle'>

/** The best open connection to `peer` (a PeerId string), dialled when there is none. */
export type ConnectionTo = (peer: string, options?: AbortOptions) => Promise<Connection>

/**
 * A connection to `peer` for a transfer that may outgrow a relayed
 * connection's data limit (a module fetch, a forwarded task): the best open
 * one when it carries `bytes` (all the transfer moves; unknown: nothing is
 * assumed to fit), else the direct one within a bounded wait (`waitMs`,
 * PeerMesh.bulkConnectionTo, network/bulk-connection.ts). A plain
 * ConnectionTo is one too, for a peer that cannot upgrade.
 */
export type BulkConnectionTo = (peer: string, options?: AbortOptions & { bytes?: number, waitMs?: number }) => Promise<Connection>
