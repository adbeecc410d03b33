import { randomUUID } from 'node:crypto';
import { createTestDatabase, freePort, postgresAvailable, sql } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, ok } from '../support/client.js';
import { createKeyedDatabase, createSystems } from '../support/keyed-database.js';
import { startApiProcess } from '../support/processes.js';
import { wsClient } from '../support/subscriber.js';
import { followLog, until } from './support.js';

type ApiProcess = Awaited<ReturnType<typeof startApiProcess>>;

/**
 * The API process killed with SIGKILL (no shutdown, no drain: a power cut, the OOM killer) during
 * an import and during 10 writers and 20 subscribers, then started again on the same port. What
 * was acknowledged must be stored once, nothing else half-stored, and every subscriber that comes
 * back with its last position must see each event once, in order.
 */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('kill -9 of the API process', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: ApiProcess;
  let port: number;
  let url: string;
  let writer: string;
  let reader: string;

  /** SIGKILL, then the same command again on the same port; returns when it listens. */
  const killAndRestart = async (): Promise<number> => {
    process.kill(api.pid, 'SIGKILL');
    await until(() => !api.alive(), 10_000, 'the API process to die');
    const started = Date.now();
    api = await startApiProcess(database.url, { API_PORT: String(port) });
    return Date.now() - started;
  };

  /** Waits until some session of the API holds a transaction that has written (has an xid). */
  const writingTransaction = () =>
    until(
      async () =>
        Number(
          (
            await sql<{ n: string }>(
              database.url,
              `SELECT count(*) AS n FROM pg_stat_activity
             WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`,
              [database.name],
            )
          )[0]?.n ?? 0,
        ) > 0,
      30_000,
      'a writing transaction',
    );

  beforeAll(async () => {
    ({ database, writer, reader } = await createKeyedDatabase());
    port = await freePort();
    api = await startApiProcess(database.url, { API_PORT: String(port) });
    url = api.url;
    await createSystems(url, writer, 'LAZY_REFCOUNT', 'load', 'kept');
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('during an import: nothing of the import is stored, what was acknowledged before is, the import can be sent again', {
    timeout: 180_000,
  }, async () => {
    const before = await ok<{ recordEvents: { events: { position: string }[] } }>(
      url,
      'mutation { recordEvents(system: "kept", events: [{ type: ProcessCreated, pid: 1 }, { type: ProcessCreated, pid: 2 }]) { events { position } } }',
      {},
      writer,
    );
    const LINES = 5000;
    const history = `${Array.from({ length: LINES }, (_, i) => JSON.stringify({ type: 'ProcessCreated', pid: i + 1 })).join('\n')}\n`;
    const importing = gql(
      url,
      'mutation($h: String!) { importHistory(system: "bulk", policy: MM_EXIT, history: $h) { version } }',
      { h: history },
      writer,
    ).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
    await writingTransaction();
    const restartMs = await killAndRestart();
    const outcome = await importing;
    // The client saw its connection cut, not an answer.
    expect('error' in outcome, JSON.stringify(outcome)).toBe(true);

    // SQL: no row of the import, every acknowledged event of the other system.
    const [bulk] = await sql<{ systems: string; events: string }>(
      database.url,
      "SELECT (SELECT count(*) FROM systems WHERE name = 'bulk') AS systems, (SELECT count(*) FROM events WHERE system = 'bulk') AS events",
    );
    expect([Number(bulk?.systems), Number(bulk?.events)]).toEqual([0, 0]);
    const kept = await sql<{ position: string }>(
      database.url,
      "SELECT position FROM events WHERE system = 'kept' ORDER BY position",
    );
    expect(kept.map((r) => String(r.position))).toEqual(before.recordEvents.events.map((e) => e.position));
    // Clients: the restarted API says the same and verifies the log; the import goes through again.
    const missing = await gql(url, '{ system(name: "bulk") { version } }', {}, reader);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await ok(url, '{ verifyLog { ok eventsChecked } }', {}, reader)).toEqual({
      verifyLog: { ok: true, eventsChecked: 2 },
    });
    expect(
      await ok(
        url,
        'mutation($h: String!) { importHistory(system: "bulk", policy: MM_EXIT, history: $h) { version } }',
        { h: history },
        writer,
      ),
    ).toEqual({ importHistory: { version: LINES } });
    console.info(`kill -9 during an import of ${LINES} events: 0 stored of it, restart ${restartMs} ms`);
  });

  it('during 10 writers and 20 subscribers: no acknowledged event lost, none duplicated, each delivered once in order', {
    timeout: 180_000,
  }, async () => {
    const WRITERS = 10;
    const BATCHES = 40;
    const SUBSCRIBERS = 20;
    const subscribers = Array.from({ length: SUBSCRIBERS }, () =>
      followLog(() => wsClient(url, reader), 'load'),
    );
    await new Promise((r) => setTimeout(r, 500));
    const acknowledged: string[] = [];
    let resent = 0;
    /** Sends the batch (same ids) until it is answered: across the kill the API may be gone a while. */
    const record = async (events: Record<string, unknown>[]) => {
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const answer = await gql<{ recordEvents: { idempotentReplay: boolean } }>(
          url,
          'mutation($e: [LifecycleEventInput!]!) { recordEvents(system: "load", events: $e) { idempotentReplay } }',
          { e: events },
          writer,
        ).catch(() => null);
        if (answer?.data?.recordEvents) return;
        if (answer && answer.errors?.[0]?.extensions?.retryable !== true) {
          throw new Error(`not retryable: ${JSON.stringify(answer.errors)}`);
        }
        resent += 1;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no answer after 600 attempts');
    };
    let restartMs = 0;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let b = 0; b < BATCHES; b += 1) {
        const pid = 10_000 + w * 1000 + b;
        const batch = [
          { type: 'ProcessCreated', pid, id: randomUUID() },
          { type: 'ProcessExec', pid, id: randomUUID() },
        ];
        await record(batch);
        acknowledged.push(...batch.map((e) => e.id));
      }
    });
    const killer = (async () => {
      await until(() => acknowledged.length >= (WRITERS * BATCHES * 2) / 3, 60_000, 'a third of the writes');
      restartMs = await killAndRestart();
    })();
    await Promise.all([...writers, killer]);
    expect(api.alive(), api.output()).toBe(true);

    // SQL: every acknowledged input stored once, and no input that was not acknowledged.
    const stored = await sql<{ id: string; n: string }>(
      database.url,
      "SELECT id::text, count(*) AS n FROM events WHERE system = 'load' AND kind = 'input' GROUP BY id",
    );
    expect(stored.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(acknowledged));
    expect(acknowledged).toHaveLength(WRITERS * BATCHES * 2);
    const positions = (
      await sql<{ position: string }>(
        database.url,
        "SELECT position FROM events WHERE system = 'load' ORDER BY position",
      )
    ).map((r) => String(r.position));

    // Clients: every subscriber, back with its last position, has each event once and in order.
    await until(
      () => subscribers.every((s) => s.positions.length >= positions.length),
      60_000,
      'subscribers',
    );
    const deliveries = subscribers.reduce((n, s) => n + s.positions.length, 0);
    const resumes = subscribers.reduce((n, s) => n + s.resumes(), 0);
    for (const s of subscribers) {
      expect(s.positions).toEqual(positions);
      await s.stop();
    }
    expect(resumes).toBeGreaterThanOrEqual(SUBSCRIBERS);
    expect(await ok(url, '{ system(name: "load") { version } }', {}, reader)).toEqual({
      system: { version: WRITERS * BATCHES * 2 },
    });
    console.info(
      `kill -9 under load: ${WRITERS} writers x ${BATCHES} batches = ${acknowledged.length} inputs (${positions.length} events), ` +
        `${resent} resends, restart ${restartMs} ms; ${SUBSCRIBERS} subscribers, ${resumes} resumes, ${deliveries} deliveries, ` +
        '0 lost, 0 duplicated, 0 out of order',
    );
  });
});
