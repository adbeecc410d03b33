import { createTestDatabase } from '@pasid/testing';
import { type Database, openDatabase, PgEventStore } from '../../src/index.js';

export { ADMIN_URL, createTestDatabase, postgresAvailable, urlFor } from '@pasid/testing';

export interface Backend {
  name: 'postgres' | 'pglite';
  /** A store on a fresh, migrated database; `dispose` closes and removes it. */
  open(): Promise<{ store: PgEventStore; db: Database; url?: string; dispose(): Promise<void> }>;
}

export const postgresBackend: Backend = {
  name: 'postgres',
  async open() {
    const database = await createTestDatabase('store');
    const db = await openDatabase({ databaseUrl: database.url });
    const store = new PgEventStore(db);
    return {
      store,
      db,
      url: database.url,
      async dispose() {
        await store.close();
        await database.drop();
      },
    };
  },
};

export const pgliteBackend: Backend = {
  name: 'pglite',
  async open() {
    const db = await openDatabase({ dataDir: 'memory://' });
    const store = new PgEventStore(db);
    return { store, db, dispose: () => store.close() };
  },
};

export const BACKENDS = [postgresBackend, pgliteBackend];
