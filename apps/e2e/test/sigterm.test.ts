import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresAvailable, productEnv, sql, type TestDatabase } from '@pasid/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type RunningProcess, run } from './support/processes.js';
import { subscribe } from './support/subscriber.js';

/**
 * SIGTERM to the API in the middle of a stream of writes: every write it acknowledged is stored,
 * no batch is stored in part, the log verifies, subscriptions are closed (not cut), and the
 * process exits 0. A request still running well into the shutdown is answered; one running past
 * the grace is refused with a retryable 503. All with the environment users run it in: NODE_ENV
 * unset (`npm start`) or `production` (the image), never vitest's `test`.
 */
const API_MAIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@pasid/api')), 'main.js');
const PASID = path.join(REPO_ROOT, 'apps/cli/bin/pasid.js');
const WRITERS = 4;
const BATCH = 5;
const hasPostgres = await postgresAvailable('the production checks');

const RECORD =
  'mutation ($system: String!, $events: [LifecycleEventInput!]!) { recordEvents(system: $system, events: $events) { version } }';

describe.skipIf(!hasPostgres).each([
  { nodeEnv: undefined, as: 'npm start runs it (NODE_ENV unset)' },
  { nodeEnv: 'production', as: 'the image runs it (NODE_ENV=production)' },
])('SIGTERM to the API as $as', ({ nodeEnv }) => {
  let db: TestDatabase;
  let key: string;
  const started: RunningProcess[] = [];
  const locks: pg.Client[] = [];
  const envOf = (extra: Record<string, string> = {}) =>
    productEnv({ DATABASE_URL: db.url, NODE_ENV: nodeEnv, ...extra });

  const startApi = async (extra: Record<string, string> = {}) => {
    const api = run('api', process.execPath, [API_MAIN], {
      cwd: REPO_ROOT,
      env: envOf({ API_PORT: '0', API_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra }),
    });
    started.push(api);
    const url = (await api.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        ...((await response.json()) as {
          data?: Record<string, { version: number }>;
          errors?: { message: string; extensions?: { code?: string } }[];
        }),
      };
    };
    return { api, url, post };
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    key = (
      await promisify(execFile)(
        process.execPath,
        [path.join(path.dirname(API_MAIN), 'keys.js'), 'create', 'writer', '--role', 'writer'],
        { env: envOf() },
      )
    ).stdout.trim();
  });

  afterAll(async () => {
    for (const client of locks) await client.end().catch(() => {});
    for (const api of started) await api.stop(2000);
    await db?.drop();
  });

  /** Holds the system's row locked, so that a write to it waits (in flight) until `release`. */
  const holdSystem = async (system: string) => {
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {}); // Ended by the drop after a failed test.
    locks.push(client);
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM systems WHERE name = $1 FOR UPDATE', [system]);
    return {
      /** Resolves once another session waits on a lock (the API's write). */
      async waiting() {
        for (;;) {
          // This session is inside its transaction, where Postgres serves pg_stat_activity from
          // the snapshot of its first read (stats_fetch_consistency = cache): a backend that
          // connected later (the API's first append connection) would never be seen.
          await client.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await client.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          if (rows[0].n > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      async release() {
        await client.query('COMMIT');
        await client.end();
      },
    };
  };

  it('answers a request still running 11 s into the shutdown, then exits 0', async () => {
    const { api, post } = await startApi();
    await post('mutation { createSystem(input: {name: "slow-answer", policy: MM_EXIT}) { name } }', {});
    const lock = await holdSystem('slow-answer');
    const answer = post(RECORD, {
      system: 'slow-answer',
      events: [{ type: 'ProcessCreated', pid: 1, id: randomUUID() }],
    });
    await lock.waiting();
    api.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    expect(api.child.exitCode, api.output()).toBeNull();
    await lock.release();
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.data?.recordEvents?.version).toBe(1);
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(api.output()).not.toMatch(/interrupted/);
    expect(api.output()).toMatch(/"msg":"stopped"/);
  });

  it('refuses a request still running past the grace with a retryable 503; the retry is stored once', async () => {
    const { api, post } = await startApi({ API_SHUTDOWN_GRACE_SECONDS: '1' });
    await post('mutation { createSystem(input: {name: "slow-refused", policy: MM_EXIT}) { name } }', {});
    const lock = await holdSystem('slow-refused');
    const events = [{ type: 'ProcessCreated', pid: 1, id: randomUUID() }];
    const answer = post(RECORD, { system: 'slow-refused', events });
    await lock.waiting();
    api.child.kill('SIGTERM');
    const result = await answer;
    expect(result.status).toBe(503);
    expect(result.retryAfter).toBe('1');
    expect(result.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
    await lock.release();
    expect(await api.exited).toEqual({ code: 0, signal: null });

    // The retry on a new process: stored exactly once, whether the refused write committed or not.
    const again = await startApi();
    const retried = await again.post(RECORD, { system: 'slow-refused', events });
    expect(retried.data?.recordEvents?.version).toBe(1);
    const [row] = await sql<{ n: string }>(
      db.url,
      "SELECT count(*) AS n FROM events WHERE system = 'slow-refused' AND kind = 'input'",
    );
    expect(Number(row?.n)).toBe(1);
    await again.api.stop();
  });

  it('loses no acknowledged event and stores no partial batch', async () => {
    const { api, url, post } = await startApi();
    const systems = Array.from({ length: WRITERS }, (_, i) => `sigterm-${nodeEnv ?? 'unset'}-${i}`);
    for (const name of systems) {
      await post(
        'mutation ($name: String!) { createSystem(input: {name: $name, policy: MM_EXIT}) { name } }',
        { name },
      );
    }
    const subscriber = await subscribe<{ eventAppended: { position: string } }>(
      url.replace('http', 'ws'),
      'subscription { eventAppended { position } }',
    );
    let closedBy: unknown = null;
    const acknowledged = new Map<string, { version: number; ids: string[] }>(
      systems.map((s) => [s, { version: 0, ids: [] }]),
    );
    let stop = false;
    const writer = async (system: string) => {
      let pid = 1;
      for (;;) {
        const events = Array.from({ length: BATCH }, () => ({
          type: 'ProcessCreated',
          pid: pid++,
          id: randomUUID(),
        }));
        let answer: Awaited<ReturnType<typeof post>>;
        try {
          answer = await post(RECORD, { system, events });
        } catch {
          return; // The server is gone: what it acknowledged before is what counts.
        }
        if (!answer.data?.recordEvents) {
          if (stop) return;
          throw new Error(`write refused before the signal: ${JSON.stringify(answer.errors)}`);
        }
        const ack = acknowledged.get(system)!;
        ack.version = answer.data.recordEvents.version;
        ack.ids.push(...events.map((e) => e.id));
      }
    };
    const writing = Promise.all(systems.map(writer));
    // Let the stream run (each writer acknowledged twice), then signal while writes are in flight.
    const deadline = Date.now() + 30_000;
    while ([...acknowledged.values()].some((a) => a.version < 2 * BATCH) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...acknowledged.values()].every((a) => a.version >= 2 * BATCH)).toBe(true);
    stop = true;
    api.child.kill('SIGTERM');
    const exit = await api.exited;
    await writing;
    await subscriber.next(Number.MAX_SAFE_INTEGER, 3000).catch((error) => {
      closedBy = error;
    });
    await subscriber.close();

    expect(exit).toEqual({ code: 0, signal: null });
    // The subscription was closed by the server going away (1001), not cut or left hanging.
    expect((closedBy as { code?: number } | null)?.code).toBe(1001);

    const rows = await sql<{ name: string; version: number; inputs: string }>(
      db.url,
      `SELECT s.name, s.version, (SELECT count(*) FROM events e WHERE e.system = s.name AND e.kind = 'input') AS inputs
       FROM systems s ORDER BY s.name`,
    );
    const stored = new Set(
      (await sql<{ id: string }>(db.url, "SELECT id FROM events WHERE kind = 'input'")).map((r) => r.id),
    );
    for (const row of rows.filter((r) => systems.includes(r.name))) {
      const ack = acknowledged.get(row.name)!;
      expect(Number(row.inputs), row.name).toBe(row.version);
      // Whole batches only, and at least every acknowledged one (a batch may have committed
      // while its answer was cut off by the shutdown: stored but not acknowledged is fine).
      expect(row.version % BATCH, row.name).toBe(0);
      expect(row.version, row.name).toBeGreaterThanOrEqual(ack.version);
      expect(
        ack.ids.filter((id) => !stored.has(id)),
        row.name,
      ).toEqual([]);
    }
    const verify = await promisify(execFile)(process.execPath, [PASID, 'verify'], { env: envOf() });
    expect(verify.stdout).toMatch(/intact/);
    expect(api.output()).not.toMatch(/Error:|unhandled/i);
    // The shutdown is logged as JSON lines, even at LOG_LEVEL=warn.
    expect(api.output()).toMatch(/"msg":"shutting down: no new connections, finishing requests in flight"/);
    expect(api.output()).toMatch(/"msg":"stopped"/);
  });
});
