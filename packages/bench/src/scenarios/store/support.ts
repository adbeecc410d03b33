import { randomBytes, randomUUID } from 'node:crypto';
import { generateHistory, type InputEvent, type Policy } from '@pasid/domain';
import { openEventStore, type PgEventStore, type StoredEvent } from '@pasid/store';
import pg from 'pg';

/**
 * The bench's one reader of the environment for the store scenarios: the Postgres server they
 * create throwaway `pasid_bench_*` databases on.
 */
export const BENCH_ADMIN_URL =
  process.env.PASID_BENCH_ADMIN_URL ??
  process.env.PASID_TEST_ADMIN_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the bench server. */
export function databaseUrl(name: string): string {
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `pasid_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(BENCH_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: BENCH_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Three databases for one scenario: ours, the raw baseline's, Emmett's. Dropped by `close`. */
export async function benchDatabases(label: string) {
  const ours = await createBenchDatabase(`${label}_ours`);
  const raw = await createBenchDatabase(`${label}_raw`);
  const emmett = await createBenchDatabase(`${label}_emmett`);
  const store = await openEventStore({ databaseUrl: ours.url });
  const rawPool = new pg.Pool({ connectionString: raw.url, max: 16 });
  await rawPool.query(RAW_TABLE);
  const nameOf = (db: BenchDatabase) => new URL(db.url).pathname.slice(1);
  return {
    store,
    rawPool,
    emmettUrl: emmett.url,
    /** The three databases' names, for the CPU their backends spend (`cpuSpent`). */
    names: { ours: nameOf(ours), raw: nameOf(raw), emmett: nameOf(emmett) },
    async close() {
      await store.close();
      await rawPool.end();
      for (const db of [ours, raw, emmett]) await db.drop();
    },
  };
}

/**
 * The raw baseline: the same columns and types as `events` (migration 0007: `data` is json), an
 * identity position and the same indexes, so a change to the log's table moves both.
 */
export const RAW_TABLE = `CREATE TABLE raw_events (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system text NOT NULL, version integer NOT NULL, index integer NOT NULL, kind text NOT NULL,
  type text NOT NULL, data json NOT NULL, id uuid NOT NULL UNIQUE, causation_id uuid,
  correlation_id text NOT NULL, actor text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),
  observed_at timestamptz, prev_hash text NOT NULL, hash text NOT NULL,
  UNIQUE (system, version, index));
CREATE INDEX ON raw_events (system, position);
CREATE INDEX ON raw_events (correlation_id)`;

const RAW_COLUMNS = 14;

/** One multi-row INSERT of `rows` into raw_events (the cheapest way to store the same rows). */
export async function rawInsert(client: pg.Pool | pg.PoolClient, rows: readonly StoredEvent[], round = 0) {
  // A later round stores the same rows again under another stream name and fresh ids.
  const id = (e: StoredEvent) => (round === 0 ? e.id : randomUUID());
  const values: unknown[] = [];
  const tuples = rows.map((e, i) => {
    values.push(
      round === 0 ? e.system : `${e.system}#${round}`,
      e.version,
      e.index,
      e.kind,
      e.type,
      JSON.stringify(e.data),
      id(e),
      e.causationId,
      e.correlationId,
      e.actor,
      e.observedAt,
      e.prevHash,
      e.hash,
      e.recordedAt,
    );
    const base = i * RAW_COLUMNS;
    return `(${Array.from({ length: RAW_COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')})`;
  });
  await client.query(
    `INSERT INTO raw_events (system, version, index, kind, type, data, id, causation_id, correlation_id,
       actor, observed_at, prev_hash, hash, recorded_at) VALUES ${tuples.join(', ')}`,
    values,
  );
}

/** The first `count` inputs of a seeded random valid history. */
export function inputs(count: number, policy: Policy, seed: number, processes?: number): InputEvent[] {
  const out: InputEvent[] = [];
  if (count === 0) return out;
  for (const e of generateHistory({ policy, maxPasid: 1 << 20, seed, processes })) {
    out.push(e);
    if (out.length === count) break;
  }
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Runs `fn`, and on failure says why Emmett could not be measured instead of failing the bench. */
export async function tryEmmett<T>(
  ctx: { progress(m: string): void },
  fn: () => Promise<T>,
): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    ctx.progress(`Emmett could not run: ${(error as Error).message}`);
    return null;
  }
}

export type Store = PgEventStore;
