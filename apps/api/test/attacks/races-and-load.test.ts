import { createTestDatabase, postgresAvailable, sql } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, ok } from '../support/client.js';
import { createKeyedDatabase, createSystems } from '../support/keyed-database.js';
import { startApiProcess } from '../support/processes.js';
import { wsClient } from '../support/subscriber.js';
import { followLog, until } from './support.js';

/** The attacks that held, kept as tests: the expectedVersion race and a bounded load run. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('races and load', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Awaited<ReturnType<typeof startApiProcess>>;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    ({ database, writer, reader } = await createKeyedDatabase());
    api = await startApiProcess(database.url);
    await createSystems(api.url, writer, 'MM_EXIT', 'race', 'load');
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('20 writers racing on one expectedVersion: exactly one wins each of 10 rounds', async () => {
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, w) =>
          gql(
            api.url,
            'mutation($v: Int!, $pid: Int!) { recordEvents(system: "race", expectedVersion: $v, events: [{ type: ProcessCreated, pid: $pid }]) { version } }',
            { v: round, pid: round * 100 + w + 1 },
            writer,
          ),
        ),
      );
      const won = answers.filter((a) => a.data?.recordEvents);
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => a.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(19);
    }
    const [row] = await sql<{ n: string }>(
      database.url,
      "SELECT count(*) AS n FROM events WHERE system = 'race'",
    );
    expect(Number(row?.n)).toBe(10);
  });

  it('a load run: every acknowledged event stored once, every subscriber gets each once, in order', async () => {
    const WRITERS = 6;
    const BATCHES = 80;
    const SUBSCRIBERS = 8;
    const subscribers = Array.from({ length: SUBSCRIBERS }, () =>
      followLog(() => wsClient(api.url, reader), 'load'),
    );
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    let acknowledged = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let b = 0; b < BATCHES; b += 1) {
          const pid = 10_000 + w * 1000 + b;
          const r = await ok<{ recordEvents: { events: unknown[] } }>(
            api.url,
            `mutation { recordEvents(system: "load", events: [{ type: ProcessCreated, pid: ${pid} }, { type: ProcessExec, pid: ${pid} }]) { events { position } } }`,
            {},
            writer,
          );
          acknowledged += r.recordEvents.events.length;
        }
      }),
    );
    const writeSeconds = (Date.now() - started) / 1000;
    const [row] = await sql<{ n: string; distinct: string }>(
      database.url,
      "SELECT count(*) AS n, count(DISTINCT id) AS distinct FROM events WHERE system = 'load'",
    );
    expect(Number(row?.n)).toBe(acknowledged);
    expect(Number(row?.distinct)).toBe(acknowledged);
    const positions = (
      await sql<{ position: string }>(
        database.url,
        "SELECT position FROM events WHERE system = 'load' ORDER BY position",
      )
    ).map((r) => String(r.position));
    await until(() => subscribers.every((s) => s.positions.length >= acknowledged), 30_000, 'subscribers');
    const deliveries = subscribers.reduce((n, s) => n + s.positions.length, 0);
    for (const s of subscribers) {
      expect(s.positions).toEqual(positions);
      await s.stop();
    }
    console.info(
      `load run: ${WRITERS} writers x ${BATCHES} batches = ${acknowledged} events in ${writeSeconds.toFixed(1)} s, ` +
        `${SUBSCRIBERS} subscribers, ${deliveries} deliveries, 0 lost, 0 duplicated, 0 out of order`,
    );
  });
});
