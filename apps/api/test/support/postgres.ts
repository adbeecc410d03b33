import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.PASID_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether the test Postgres answers; under CI a missing server fails the run, never skips it. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`CI needs Postgres at PASID_TEST_ADMIN_URL: ${(error as Error).message}`);
    console.warn(`skipping: no Postgres at ${ADMIN_URL} (${(error as Error).message})`);
    return false;
  }
}

/** A fresh `pasid_test_api_*` database; `drop` removes it, closing whatever still uses it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `pasid_test_api_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Plain SQL on the test database: what an auditor sees, independent of the store's code. */
export async function countEvents(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}
