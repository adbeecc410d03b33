import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase, PgEventStore } from '../../src/index.js';

export const ADMIN_URL = process.env.PASID_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let available: boolean | undefined;

/** Whether the test Postgres answers; under CI a missing server is a failure, never a skip. */
export async function postgresAvailable(): Promise<boolean> {
  if (available !== undefined) return available;
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    available = true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`CI needs Postgres at PASID_TEST_ADMIN_URL: ${(error as Error).message}`);
    available = false;
  }
  return available;
}

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh `pasid_test_*` database; `drop` removes it (closing whatever still uses it). */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `pasid_test_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name,
    url: urlFor(name),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

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
