import { createTestDatabase, postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './support/client.js';
import { createKeyedDatabase, createSystems } from './support/keyed-database.js';
import { startApiProcess } from './support/processes.js';
import { collect, wsClient } from './support/subscriber.js';
import { workedExampleEvents } from './support/worked-example.js';

type Appended = { eventAppended: { position: string; version: number; type: string; system: string } };

const RECORD = `mutation($system: String!, $events: [LifecycleEventInput!]!) {
  recordEvents(system: $system, events: $events) { version events { position } }
}`;

describe.skipIf(!(await postgresAvailable('the API tests')))(
  'subscriptions over graphql-ws, two API processes on one database',
  () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let a: Awaited<ReturnType<typeof startApiProcess>>;
    let b: Awaited<ReturnType<typeof startApiProcess>>;
    let writer: string;
    let reader: string;

    beforeAll(async () => {
      ({ database, writer, reader } = await createKeyedDatabase());
      [a, b] = await Promise.all([startApiProcess(database.url), startApiProcess(database.url)]);
      await createSystems(b.url, writer, 'LAZY_REFCOUNT', 'one', 'two');
    });
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
    });

    it('a subscriber on one process receives, in order and once, what is recorded on the other', async () => {
      const client = wsClient(a.url, reader);
      const appendedQuery = {
        query: 'subscription { eventAppended(system: "one", after: 0) { position version type system } }',
      };
      const events = client.iterate<Appended>(appendedQuery);
      // A second client with the same operation: the server executes each event once for both.
      const twin = wsClient(a.url, reader);
      const twinEvents = twin.iterate<Appended>(appendedQuery);
      const hazards = client.iterate<{ hazardDetected: { code: string; version: number } }>({
        query: 'subscription { hazardDetected(system: "one", after: 0) { code version } }',
      });
      const states = client.iterate<{
        systemStateChanged: { events: number; pasids: { pasid: number; pid: number }[] };
      }>({
        query: 'subscription { systemStateChanged(system: "one") { events pasids { pasid pid } } }',
      });
      const initial = await collect(states, (items) => items.length >= 1);
      expect(initial[0]?.systemStateChanged).toEqual({ events: 0, pasids: [] });
      // Recorded on B, one input per call, interleaved with another system's events that must not show.
      let total = 0;
      for (const event of workedExampleEvents) {
        const r = await ok<{ recordEvents: { events: unknown[] } }>(
          b.url,
          RECORD,
          { system: 'one', events: [event] },
          writer,
        );
        total += r.recordEvents.events.length;
        await ok(
          b.url,
          RECORD,
          { system: 'two', events: [{ type: 'ProcessCreated', pid: 1000 + total }] },
          writer,
        );
      }
      const got = await collect(events, (items) => items.length >= total);
      expect(await collect(twinEvents, (items) => items.length >= total)).toEqual(got);
      await twin.dispose();
      const positions = got.map((g) => g.eventAppended.position);
      expect(got.every((g) => g.eventAppended.system === 'one')).toBe(true);
      expect(new Set(positions).size).toBe(total);
      expect(positions).toEqual([...positions].sort((x, y) => Number(BigInt(x) - BigInt(y))));
      expect(got.filter((g) => g.eventAppended.type === 'DeviceBound')).toHaveLength(3);
      expect(Math.max(...got.map((g) => g.eventAppended.version))).toBe(14);

      const seenHazards = await collect(hazards, (items) => items.length >= 2);
      expect(seenHazards.map((h) => h.hazardDetected)).toEqual([
        { code: 'SIGSEGV', version: 8 },
        { code: 'DMAR_FAULT', version: 12 },
      ]);
      const changes = await collect(states, (items) => items.at(-1)?.systemStateChanged.events === 14);
      const versions = changes.map((c) => c.systemStateChanged.events);
      expect(versions).toEqual([...versions].sort((x, y) => x - y));
      expect(changes.at(-1)?.systemStateChanged.pasids).toEqual([{ pasid: 2, pid: 200 }]);
      await client.dispose();
    });

    it('without `after`, a subscriber gets only what is appended from then on', async () => {
      const { log } = await ok<{ log: { pageInfo: { endCursor: string } } }>(
        a.url,
        '{ log(first: 1000) { pageInfo { endCursor } } }',
      );
      const client = wsClient(a.url);
      const live = client.iterate<{ eventAppended: { position: string } }>({
        query: 'subscription { eventAppended { position } }',
      });
      // The server opens the subscription at some moment after this call: write until one arrives,
      // waiting on one and the same next() throughout.
      const first = live.next();
      let received: { eventAppended: { position: string } } | undefined;
      for (let pid = 9000; !received && pid < 9030; pid += 1) {
        await ok(b.url, RECORD, { system: 'two', events: [{ type: 'ProcessCreated', pid }] }, writer);
        const winner = await Promise.race([first, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
        if (winner && !winner.done) received = winner.value.data ?? undefined;
      }
      expect(BigInt(received?.eventAppended.position ?? 0)).toBeGreaterThan(BigInt(log.pageInfo.endCursor));
      await client.dispose();
    });

    it('a subscriber that disconnects and reconnects with `after` gets every event exactly once', async () => {
      const query = 'subscription($after: Position) { eventAppended(after: $after) { position } }';
      const { system } = await ok<{ system: { eventCount: number } }>(
        a.url,
        '{ system(name: "one") { eventCount } }',
      );
      const { log } = await ok<{ log: { pageInfo: { endCursor: string } } }>(
        a.url,
        'query { log(first: 1000) { pageInfo { endCursor } } }',
      );
      const head = BigInt(log.pageInfo.endCursor);
      expect(head).toBeGreaterThan(BigInt(system.eventCount));

      const client1 = wsClient(a.url);
      const live = client1.iterate<{ eventAppended: { position: string } }>({
        query,
        variables: { after: head.toString() },
      });
      const writes = (async () => {
        for (let pid = 5000; pid < 5030; pid += 1) {
          await ok(b.url, RECORD, { system: 'two', events: [{ type: 'ProcessCreated', pid }] }, writer);
        }
      })();
      const before = await collect(live, (items) => items.length >= 5);
      await client1.dispose(); // Leaves while B is still writing.
      const last = before.at(-1)!.eventAppended.position;
      await writes;

      const client2 = wsClient(a.url);
      const after = await collect(
        client2.iterate<{ eventAppended: { position: string } }>({ query, variables: { after: last } }),
        (items) => items.length >= Number(head + 30n - BigInt(last)),
      );
      await client2.dispose();
      const positions = [...before, ...after].map((g) => g.eventAppended.position);
      expect(positions).toEqual(Array.from({ length: 30 }, (_, i) => String(head + BigInt(1 + i))));
    });
  },
);
