/**
 * The narrow parts of a libp2p node that protocol services take as their
 * Components (as js-libp2p's own protocol packages do), instead of the node.
 */
import type { AbortOptions, Connection, Libp2p } from '@libp2p/interface'

/** Registers and removes a protocol's stream handler. */
export type ProtocolRegistrar = Pick<Libp2p, 'handle' | 'unhandle'>

/** The best open connection to `peer` (a PeerId string), dialled when there is none. */
export type ConnectionTo = (peer: string, options?: AbortOptions) => Promise<Connection>
