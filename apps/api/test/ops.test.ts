import { Writable } from 'node:stream';
import { loadConfig, openStore, type RunningApi, startApiServer } from '@pasid/api';
import type { EventStore } from '@pasid/store';
import { createTestDatabase, postgresAvailable } from '@pasid/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './support/client.js';
import { wsClient } from './support/subscriber.js';

/** Operations: a JSON log line with a request id for every request, and the Prometheus metrics. */
const hasPostgres = await postgresAvailable('the API tests');

describe.skipIf(!hasPostgres)('logs and metrics', () => {
  let api: RunningApi;
  let store: EventStore;
  let token: string;
  let drop: () => Promise<void>;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase('api');
    drop = database.drop;
    const config = loadConfig({ API_PORT: '0', DATABASE_URL: database.url });
    store = await openStore(config);
    token = (await store.apiKeys.create('ops-writer', 'writer')).token;
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    api = await startApiServer(store, config, { logger: pino({ level: 'info' }, sink) });
  });

  afterAll(async () => {
    await api?.close();
    await store?.close();
    await drop?.();
  });

  const metric = async (name: string, labels = ''): Promise<number | undefined> => {
    const text = await (await fetch(api.url.replace('/graphql', '/metrics'))).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  it('logs every request as one JSON line with its request id, taken from x-request-id or made', async () => {
    const given = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-abc.1' },
      body: JSON.stringify({ query: 'query Systems { systems { name } }', operationName: 'Systems' }),
    });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.1');
    const made = await Promise.all([1, 2].map(() => fetch(api.url.replace('/graphql', '/health'))));
    const ids = made.map((r) => r.headers.get('x-request-id'));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).not.toBe(ids[0]);
    // A header that is not a sane token is not trusted.
    const odd = await fetch(api.url.replace('/graphql', '/health'), {
      headers: { 'x-request-id': 'not a token; rm -rf' },
    });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const entry = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'trace-abc.1');
    expect(entry).toMatchObject({
      level: 30,
      operation: 'Systems',
      req: { method: 'POST', url: '/graphql' },
      res: { statusCode: 200 },
    });
    expect(typeof entry?.responseTime).toBe('number');
    for (const id of ids)
      expect(lines.some((l) => (l.req as { id?: string } | undefined)?.id === id)).toBe(true);
    // Never the key.
    expect(JSON.stringify(lines)).not.toContain('Bearer');
  });

  it('counts recorded events, times appends, and gauges live subscriptions and the feed lag', async () => {
    await ok(
      api.url,
      'mutation { createSystem(input: {name: "ops-demo", policy: LAZY_REFCOUNT}) { name } }',
      {},
      token,
    );
    const client = wsClient(api.url);
    const subscription = client.iterate({
      query: 'subscription { eventAppended(system: "ops-demo") { position } }',
    });
    const first = subscription.next();
    const deadline = Date.now() + 10_000;
    while ((await metric('pasid_live_subscriptions')) !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await metric('pasid_live_subscriptions')).toBe(1);

    const recorded = await ok<{ recordEvents: { version: number; derived: unknown[] } }>(
      api.url,
      `mutation { recordEvents(system: "ops-demo", expectedVersion: 0, events: [
        {type: ProcessCreated, pid: 100}, {type: DeviceBound, pid: 100, device: "0000:6a:01.0"},
        {type: Enqcmd, tid: 100, device: "0000:6a:01.0"}]) { version derived { type } } }`,
      {},
      token,
    );
    expect(recorded.recordEvents.version).toBe(3);
    await first;
    expect(await metric('pasid_events_recorded_total', '{kind="input"}')).toBe(3);
    expect(await metric('pasid_events_recorded_total', '{kind="derived"}')).toBe(
      recorded.recordEvents.derived.length,
    );
    expect(await metric('pasid_append_duration_seconds_count', '{operation="record",outcome="ok"}')).toBe(1);
    // A refused write is timed under its outcome and counts no event.
    await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query:
          'mutation { recordEvents(system: "ops-demo", expectedVersion: 0, events: [{type: ProcessCreated, pid: 7}]) { version } }',
      }),
    });
    expect(
      await metric('pasid_append_duration_seconds_count', '{operation="record",outcome="conflict"}'),
    ).toBe(1);
    expect(await metric('pasid_events_recorded_total', '{kind="input"}')).toBe(3);

    const head = await metric('pasid_log_head_position');
    const stored = await store.readAll({ after: 0n, limit: 100 });
    expect(head).toBe(Number(stored.at(-1)?.position));
    expect(await metric('pasid_projection_lag_events')).toBe(0);

    await subscription.return?.();
    await client.dispose();
    const closing = Date.now() + 10_000;
    while ((await metric('pasid_live_subscriptions')) !== 0 && Date.now() < closing) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await metric('pasid_live_subscriptions')).toBe(0);
    expect(await metric('process_cpu_seconds_total')).toBeGreaterThan(0);
  });
});
