/**
 * The tables of the Node peer's store (sqlite-store.node.ts), one per object
 * store of the IndexedDB schema, with the same keys. Each record is kept
 * whole as JSON (record-json.ts) in `record`/`value`; the columns beside it
 * repeat the fields the store keys and orders by, so that listing newest
 * first is an index walk as it is in IndexedDB. Blobs and modules are BLOBs.
 *
 * The version is SQLite's `user_version` (https://sqlite.org/pragma.html#pragma_user_version);
 * each step runs once, inside the transaction that opens the store.
 */
import type { DatabaseSync } from 'node:sqlite'
import { nameError } from '../core/index.ts'

/** Thrown when the database was written by a newer ZeroState whose schema this one does not know. */
export class StoreVersionError extends Error {
  static { nameError(this, 'StoreVersionError') }
}

export const SCHEMA_VERSION = 3

const STEPS: ReadonlyArray<string> = [
  // Version 1: everything of IndexedDB schema version 5 but the identity seed (identity.key beside the database).
  `
  CREATE TABLE modules (hash TEXT PRIMARY KEY, bytes BLOB NOT NULL) STRICT;
  CREATE TABLE receipts (
    task_id TEXT NOT NULL, role TEXT NOT NULL, stored_at REAL NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (task_id, role)
  ) STRICT;
  CREATE INDEX receipts_by_stored_at ON receipts (stored_at, task_id, role);
  CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT) STRICT;
  CREATE TABLE channels (channel_id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at REAL NOT NULL, record TEXT NOT NULL) STRICT;
  CREATE INDEX channels_by_updated_at ON channels (updated_at, channel_id);
  CREATE TABLE payments (
    channel_id TEXT NOT NULL, sequence INTEGER NOT NULL, at REAL NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (channel_id, sequence)
  ) STRICT;
  CREATE INDEX payments_by_at ON payments (at, channel_id, sequence);
  CREATE TABLE attestations (
    receipt_hash TEXT NOT NULL, witness TEXT NOT NULL, received_at REAL NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (receipt_hash, witness)
  ) STRICT;
  CREATE INDEX attestations_by_received_at ON attestations (received_at, receipt_hash, witness);
  CREATE TABLE task_inputs (receipt_hash TEXT PRIMARY KEY, stored_at REAL NOT NULL, record TEXT NOT NULL) STRICT;
  CREATE INDEX task_inputs_by_stored_at ON task_inputs (stored_at, receipt_hash);
  -- updated_at is NULL when the record's is not a number: IndexedDB leaves such a record out of its index, so out of listRuns.
  CREATE TABLE workflow_runs (run_id TEXT PRIMARY KEY, updated_at REAL, record TEXT NOT NULL) STRICT;
  CREATE INDEX workflow_runs_by_updated_at ON workflow_runs (updated_at, run_id);
  CREATE TABLE run_events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT, PRIMARY KEY (run_id, seq)) STRICT;
  CREATE TABLE blobs (hash TEXT PRIMARY KEY, bytes BLOB NOT NULL) STRICT;
  CREATE TABLE memo (key TEXT PRIMARY KEY, value TEXT) STRICT;
  `,
  // Version 2: verified agent manifests by the SHA-256 of their canonical form (IndexedDB version 6).
  `
  CREATE TABLE agent_manifests (hash TEXT PRIMARY KEY, stored_at REAL NOT NULL, record TEXT NOT NULL) STRICT;
  CREATE INDEX agent_manifests_by_stored_at ON agent_manifests (stored_at, hash);
  `,
  // Version 3: the submitter's records by what they are owed (ReceiptRecord.payment; IndexedDB version 7). Rows kept
  // before have none (NULL), as IndexedDB leaves a record without the field out of its index: nothing tells what they were owed.
  `
  ALTER TABLE receipts ADD COLUMN payment TEXT;
  CREATE INDEX receipts_by_payment ON receipts (payment, stored_at, task_id, role);
  `
]

/**
 * Brings `db` (in a write transaction the caller holds) to SCHEMA_VERSION;
 * StoreVersionError if it is newer. `file` names it in the error.
 */
export function migrate (db: DatabaseSync, file: string): void {
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number }
  if (version > SCHEMA_VERSION) {
    throw new StoreVersionError(`${file} has schema version ${version}; this ZeroState knows versions up to ${SCHEMA_VERSION}`)
  }
  for (let step = version; step < SCHEMA_VERSION; step++) db.exec(STEPS[step]!)
  // PRAGMA takes no bound parameters; SCHEMA_VERSION is a constant.
  if (version < SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`)
}
