import { resolve } from 'node:path';
import { type Database, openPglite, openPostgres } from './database.js';
import type { EventStore, OpenStoreOptions } from './event-store.js';
import { migrate } from './migrator.js';
import { PgEventStore } from './store.js';

export type { StreamHead } from './chain.js';
export type { CheckpointFinding, CheckpointReport } from './checkpoint-audit.js';
export {
  CHECKPOINT_FORMAT,
  CheckpointRefusedError,
  type CheckpointStatement,
  keyId,
  parseStatement,
  publicKeyPem,
  readPrivateKey,
  readPublicKey,
  type SignedCheckpoint,
  type SignOptions,
  signatureValid,
} from './checkpoints.js';
export { DataDirError } from './data-dir.js';
export { type Database, openPglite, openPostgres } from './database.js';
export * from './event-store.js';
export { canonicalJson, eventHash, GENESIS_HASH, HASH_FORMAT, type HashFormat } from './hash.js';
export { loadMigrations, MIGRATIONS_DIR, type Migration, migrate, pendingMigrations } from './migrator.js';
export { comparePositions, MAX_POSITION, type Position, START_POSITION, toPosition } from './position.js';
export { SNAPSHOT_INTERVAL, snapshotDue, snapshotSpacing, stateEntities } from './snapshot-policy.js';
export { PgEventStore } from './store.js';
export { isDatabaseUnavailable } from './unavailable.js';

/** The embedded database's folder when neither an option nor `PASID_DATA_DIR` names one. */
export const DEFAULT_DATA_DIR = '.data';

/** Opens the database the options name (a server, else the embedded one), migrated by default. */
export async function openDatabase(options: OpenStoreOptions = {}): Promise<Database> {
  const db = options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : await openPglite(
        options.dataDir?.startsWith('memory://')
          ? options.dataDir
          : resolve(options.dataDir ?? DEFAULT_DATA_DIR),
      );
  if (options.migrate !== false) {
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}

export async function openEventStore(options: OpenStoreOptions = {}): Promise<EventStore & PgEventStore> {
  return new PgEventStore(await openDatabase(options));
}
