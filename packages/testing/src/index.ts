import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';

/** The server tests create their databases on (`.ci/run` sets it; trust auth by default). */
export const ADMIN_URL = process.env.PASID_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let available: boolean | undefined;

/**
 * Whether the test Postgres answers. Under CI a missing server fails the run, never skips it;
 * elsewhere the suite says it skips and why.
 */
export async function postgresAvailable(suite = 'these tests'): Promise<boolean> {
  if (available !== undefined) return available;
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    available = true;
  } catch (error) {
    const reason = (error as Error).message;
    if (process.env.CI)
      throw new Error(`CI needs Postgres at PASID_TEST_ADMIN_URL (${ADMIN_URL}): ${reason}`);
    console.warn(`skipping ${suite}: no Postgres at ${ADMIN_URL} (${reason})`);
    available = false;
  }
  return available;
}

/** The URL of `database` on the test server. */
export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** Removes the database, closing whatever still uses it. */
  drop(): Promise<void>;
}

/** A fresh, empty `pasid_test_<label>_<random>` database (`.ci/run` sweeps leftovers by prefix). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `pasid_test_${label}_${randomBytes(4).toString('hex')}`;
  await sql(ADMIN_URL, `CREATE DATABASE ${name}`);
  return {
    name,
    url: urlFor(name),
    drop: () => sql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => {}),
  };
}

/** Plain SQL on a database: what an auditor sees, independent of the store's code. */
export async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  params?: unknown[],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The number of rows of the log table `events`, by plain SQL. */
export async function countEvents(url: string): Promise<number> {
  const [row] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM events');
  return Number(row?.n);
}

/** A TCP port free on 127.0.0.1 right now, for a server a test starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The environment a user's shell gives the product: this process's, without the `NODE_ENV=test`
 * vitest sets for itself (libraries such as Apollo behave differently under it), plus `extra`.
 * `NODE_ENV` comes back only if `extra` names it.
 */
export function productEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const { NODE_ENV: _vitest, ...env } = process.env;
  const merged: Record<string, string | undefined> = { ...env, ...extra };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Moves the log's head to `position`, so the next event appended lands at `position + 1`: how a
 * test gets a log past 2^31 or 2^53 without writing that many events. The one place tests set
 * the head (today the `log_head` row; if the counter changes, only this changes). Takes anything
 * with `query(text, params)`: a pg client or pool, the store's database, PGlite.
 */
export async function setLogHead(
  db: { query(text: string, params?: unknown[]): Promise<unknown> },
  position: bigint,
): Promise<void> {
  await db.query('UPDATE log_head SET position = $1 WHERE id = 1', [position.toString()]);
}
