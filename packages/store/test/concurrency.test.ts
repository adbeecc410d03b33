import type { InputEvent } from '@pasid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  comparePositions,
  openDatabase,
  PgEventStore,
  type StoredEvent,
} from '../src/index.js';
import { createTestDatabase, postgresAvailable } from './support/databases.js';

const WRITERS = 8;

// Several stores = several pools and LISTEN connections, as separate processes would have.
describe('concurrent writers on Postgres', async () => {
  const skip = !(await postgresAvailable());
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const stores: PgEventStore[] = [];
  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase('concurrency');
    for (let i = 0; i < WRITERS + 1; i++) {
      stores.push(new PgEventStore(await openDatabase({ databaseUrl: database.url })));
    }
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    if (database) await database.drop();
  });

  it.skipIf(skip)('writes each version of one stream exactly once; losers get conflicts', async () => {
    const [first] = stores as [PgEventStore];
    await first.createSystem({ name: 'contended', policy: 'MM_EXIT' }, 'test');
    const target = 80;
    let conflicts = 0;
    const won: number[] = [];
    await Promise.all(
      stores.slice(0, WRITERS).map(async (store, w) => {
        let pid = (w + 1) * 100_000;
        for (;;) {
          const version = (await store.getSystem('contended'))?.version ?? 0;
          if (version >= target) return;
          try {
            const result = await store.appendToStream('contended', [{ type: 'ProcessCreated', pid: pid++ }], {
              actor: `writer-${w}`,
              expectedVersion: version,
            });
            won.push(result.version);
          } catch (error) {
            if (!(error instanceof ConflictError)) throw error;
            expect(error.expectedVersion).toBe(version);
            expect(error.actualVersion).toBeGreaterThan(version);
            conflicts += 1;
          }
        }
      }),
    );
    const events = await first.readStream('contended');
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    expect(won.sort((a, b) => a - b)).toEqual(events.map((e) => e.version));
    expect(conflicts).toBeGreaterThan(0);
    const positions = events.map((e) => e.position);
    expect(new Set(positions).size).toBe(positions.length);
  });

  it.skipIf(skip)(
    'lets a pager and a subscriber see every event of 8 streams once, in global order',
    async () => {
      const reader = stores[WRITERS] as PgEventStore;
      const start = await lastPosition(reader);
      const perWriter = 40;
      for (let w = 0; w < WRITERS; w++) {
        await (stores[w] as PgEventStore).createSystem(
          { name: `stream-${w}`, policy: 'LAZY_REFCOUNT' },
          'test',
        );
      }
      const subscription = reader.subscribe({ after: start });
      const delivered: StoredEvent[] = [];
      let expectedTotal = Number.POSITIVE_INFINITY;
      const subscribing = (async () => {
        for await (const event of subscription) {
          delivered.push(event);
          if (delivered.length >= expectedTotal) break;
        }
      })();
      let writing = true;
      const paged: StoredEvent[] = [];
      const paging = (async () => {
        let after = start;
        for (;;) {
          // Whether every append had returned before this read began: only then does an empty
          // page mean the end (a read begun earlier may answer after the last commit).
          const allWritten = !writing;
          const page = await reader.readAll({ after, limit: 100 });
          paged.push(...page);
          after = page.at(-1)?.position ?? after;
          if (page.length === 0 && allWritten) return;
        }
      })();
      const written = await Promise.all(
        stores.slice(0, WRITERS).map(async (store, w) => {
          let count = 0;
          for (let i = 0; i < perWriter; i++) {
            const pid = 1000 + i;
            const batch: InputEvent[] =
              i % 3 === 0
                ? [
                    { type: 'ProcessCreated', pid },
                    { type: 'DeviceBound', pid, device: '0000:6a:01.0' },
                    { type: 'Enqcmd', tid: pid, device: '0000:6a:01.0' },
                  ]
                : [{ type: 'ProcessCreated', pid }];
            const result = await store.appendToStream(`stream-${w}`, batch, { actor: `w${w}` });
            count += result.events.length;
          }
          return count;
        }),
      );
      writing = false;
      expectedTotal = written.reduce((a, b) => a + b, 0);
      await paging;
      await Promise.race([subscribing, new Promise((r) => setTimeout(r, 10_000))]);
      await subscription.close();
      const expected = Array.from({ length: expectedTotal }, (_, i) => start + BigInt(i + 1));
      expect(paged.map((e) => e.position)).toEqual(expected);
      expect(delivered.map((e) => e.position)).toEqual(expected);
    },
  );

  it.skipIf(skip)(
    'resumes a subscription after its connections are killed, with no gap or duplicate',
    async () => {
      const [writer, subscriberStore] = [stores[0], stores[WRITERS]] as [PgEventStore, PgEventStore];
      await writer.createSystem({ name: 'resume', policy: 'MM_EXIT' }, 'test');
      const subscription = subscriberStore.subscribe({ system: 'resume' });
      const seen: number[] = [];
      const reading = (async () => {
        for await (const event of subscription) {
          seen.push(event.version);
          if (seen.length === 6) break;
        }
      })();
      for (let pid = 1; pid <= 3; pid++) {
        await writer.appendToStream('resume', [{ type: 'ProcessCreated', pid }], { actor: 't' });
      }
      await waitFor(() => seen.length === 3);
      // Kill every session of the subscriber's store: its LISTEN connection and its pool (a query
      // first, so the pool holds a connection), in one statement from the writer's connection
      // (the other stores' idle sessions go too: they must survive that as well).
      await subscriberStore.db.query('SELECT 1');
      const [killed] = await writer.db.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ''
           AND backend_type = 'client backend'`,
      );
      expect(killed?.n).toBeGreaterThan(1);
      for (let pid = 4; pid <= 6; pid++) {
        await writer.appendToStream('resume', [{ type: 'ProcessCreated', pid }], { actor: 't' });
      }
      await Promise.race([reading, new Promise((r) => setTimeout(r, 8000))]);
      await subscription.close();
      expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    },
  );
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lastPosition(store: PgEventStore): Promise<bigint> {
  const systems = await store.listSystems();
  return (
    systems
      .map((s) => s.lastPosition)
      .sort(comparePositions)
      .at(-1) ?? 0n
  );
}
