import { randomUUID } from 'node:crypto';
import { createTestDatabase, postgresAvailable, sql } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../support/client.js';
import { createKeyedDatabase, createSystems } from '../support/keyed-database.js';
import { startApiProcess } from '../support/processes.js';
import { wsClient } from '../support/subscriber.js';
import { followLog, recordWithRetry, until } from './support.js';

/**
 * An operator (or a failover) kills every connection of the API's database while writers write
 * and subscribers follow. The API must stay up, answer the requests caught in flight with a
 * retryable error, reconnect, and lose or repeat nothing.
 */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('killed database connections', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Awaited<ReturnType<typeof startApiProcess>>;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    ({ database, writer, reader } = await createKeyedDatabase());
    api = await startApiProcess(database.url, { READS_REQUIRE_KEY: 'true' });
    await createSystems(api.url, writer, 'LAZY_REFCOUNT', 's');
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('survives pg_terminate_backend during writes: every acknowledged event once, every subscriber sees each once in order', async () => {
    const subscribers = [1, 2, 3].map(() => followLog(() => wsClient(api.url, reader), 's'));
    // Every subscriber is live before the first write.
    await new Promise((r) => setTimeout(r, 500));
    const retries = { count: 0 };
    const acknowledged: string[] = [];
    const WRITERS = 4;
    const BATCHES = 60;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let b = 0; b < BATCHES; b += 1) {
        const id = randomUUID();
        await recordWithRetry(
          api.url,
          writer,
          's',
          [{ type: 'ProcessCreated', pid: 1 + w * 1000 + b, id }],
          retries,
        );
        acknowledged.push(id);
      }
    });
    let kills = 0;
    let killed = 0;
    const killer = (async () => {
      while (kills < 4) {
        await new Promise((r) => setTimeout(r, 400));
        const rows = await sql<{ pid: number }>(
          database.url,
          `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
           WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [database.name],
        );
        killed += rows.length;
        kills += 1;
      }
    })();
    await Promise.all([...writers, killer]);
    expect(api.alive(), api.output()).toBe(true);
    expect(killed).toBeGreaterThan(4);

    // Every acknowledged input is stored exactly once.
    const stored = await sql<{ id: string; n: string }>(
      database.url,
      "SELECT id::text, count(*) AS n FROM events WHERE kind = 'input' GROUP BY id",
    );
    expect(stored.every((r) => Number(r.n) === 1)).toBe(true);
    expect(new Set(stored.map((r) => r.id))).toEqual(new Set(acknowledged));
    expect(acknowledged).toHaveLength(WRITERS * BATCHES);
    const [head] = await sql<{ n: string }>(database.url, 'SELECT count(*) AS n FROM events');
    const total = Number(head?.n);

    // Every subscriber sees every event once, in order, across the kills.
    await until(
      () => subscribers.every((s) => s.positions.length >= total),
      30_000,
      'subscribers to catch up',
    );
    for (const s of subscribers) {
      expect(s.positions).toEqual(Array.from({ length: total }, (_, i) => String(i + 1)));
      await s.stop();
    }
    // The API still answers, through a pool that reconnected.
    expect(await ok(api.url, '{ system(name: "s") { version } }', {}, reader)).toEqual({
      system: { version: WRITERS * BATCHES },
    });
    console.info(`connection kills: ${kills} rounds, ${killed} backends, ${retries.count} retried requests`);
  });
});
