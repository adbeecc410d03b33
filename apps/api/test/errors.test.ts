import { loadConfig, openStore, type RunningApi, startApiServer } from '@pasid/api';
import { countEvents, createTestDatabase, postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';
import { wsClient } from './support/subscriber.js';
import { dsa0 } from './support/worked-example.js';

const RECORD = `mutation Record($system: String!, $v: Int, $events: [LifecycleEventInput!]!) {
  recordEvents(system: $system, expectedVersion: $v, events: $events) { version }
}`;

describe.skipIf(!(await postgresAvailable('the API tests')))(
  'bad requests get a code and a clear message, and store nothing',
  () => {
    let t: TestApi;
    let storedBefore: number;

    beforeAll(async () => {
      t = await startTestApi({ API_BODY_LIMIT: '64kb' });
      await ok(
        t.url,
        'mutation { createSystem(input: { name: "s", policy: LAZY_REFCOUNT }) { name } }',
        {},
        t.tokens.writer,
      );
      await ok(
        t.url,
        RECORD,
        {
          system: 's',
          events: [
            { type: 'ProcessCreated', pid: 100 },
            { type: 'DeviceBound', pid: 100, device: dsa0 },
          ],
        },
        t.tokens.writer,
      );
      storedBefore = await countEvents(t.databaseUrl);
    });
    afterAll(async () => {
      // Every case below was refused: the log holds exactly what the setup stored.
      if (t) expect(await countEvents(t.databaseUrl)).toBe(storedBefore);
      await t?.close();
    });

    const record = (events: unknown[], extra: Record<string, unknown> = {}, token?: string) =>
      gql(t.url, RECORD, { system: 's', events, ...extra }, token ?? t.tokens.writer);

    it('an invalid event names its index and field', async () => {
      const r = await record([
        { type: 'ProcessCreated', pid: 300 },
        { type: 'Enqcmd', tid: 100, device: '6a:01.0' },
      ]);
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        eventIndex: 1,
        field: 'device',
      });
      expect(r.errors?.[0]?.message).toMatch(/^events\[1\]\.device: .*PCI address/);

      const extra = await record([{ type: 'TaskExited', tid: 100, pid: 100 }]);
      expect(extra.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        eventIndex: 0,
        field: 'pid',
      });
      expect(extra.errors?.[0]?.message).toContain('unknown field "pid" in TaskExited');
    });

    it('an event the rules reject names its index, field and reason; the batch before it is not kept', async () => {
      const r = await record([
        { type: 'ThreadCreated', tid: 101, pid: 100 },
        { type: 'DeviceUnbound', pid: 100, device: '0000:6a:02.0' },
      ]);
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        eventIndex: 1,
        rejection: 'NOT_BOUND',
      });
      expect(r.errors?.[0]?.message).toMatch(/^events\[1\]/);
      const { system } = await ok<{ system: { version: number; state: { tasks: { tid: number }[] } } }>(
        t.url,
        '{ system(name: "s") { version state { tasks { tid } } } }',
      );
      expect(system).toEqual({ version: 2, state: { tasks: [{ tid: 100 }] } });
    });

    it('wrong GraphQL types are refused before anything runs', async () => {
      const r = await record([{ type: 'ProcessCreated', pid: 'abc' }]);
      expect(r.status).toBe(400);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/pid.*Int/);
      const unknownType = await record([{ type: 'Fork', pid: 1 }]);
      expect(unknownType.errors?.[0]?.message).toContain('"Fork"');
    });

    it('an unknown system is NOT_FOUND', async () => {
      const r = await gql(
        t.url,
        RECORD,
        { system: 'nope', events: [{ type: 'ProcessCreated', pid: 1 }] },
        t.tokens.writer,
      );
      expect(r.errors?.[0]).toMatchObject({
        message: 'system "nope" not found',
        extensions: { code: 'NOT_FOUND' },
      });
      const q = await gql(t.url, '{ system(name: "nope") { state { events } } }');
      expect(q.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const ev = await gql(t.url, '{ events(system: "nope") { nodes { id } } }');
      expect(ev.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('a stale expected version is a CONFLICT carrying both versions', async () => {
      const r = await record([{ type: 'ProcessCreated', pid: 400 }], { v: 1 });
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: 'CONFLICT',
        expectedVersion: 1,
        actualVersion: 2,
      });
    });

    it('time travel outside the history is BAD_USER_INPUT', async () => {
      const r = await gql(t.url, '{ system(name: "s") { state(at: 3) { events } } }');
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'at', version: 2 });
    });

    it('writes need a live key with the writer role', async () => {
      const none = await gql(t.url, RECORD, { system: 's', events: [{ type: 'ProcessCreated', pid: 500 }] });
      expect(none.status).toBe(401);
      expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

      const reader = await record([{ type: 'ProcessCreated', pid: 500 }], {}, t.tokens.reader);
      expect(reader.status).toBe(403);
      expect(reader.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(reader.errors?.[0]?.message).toContain('role writer');

      const bogus = await record([{ type: 'ProcessCreated', pid: 500 }], {}, 'not-a-key');
      expect(bogus.status).toBe(401);

      const { token } = await t.store.apiKeys.create('short-lived', 'writer');
      await t.store.apiKeys.revoke('short-lived');
      const revoked = await record([{ type: 'ProcessCreated', pid: 500 }], {}, token);
      expect(revoked.status).toBe(401);
      expect(revoked.errors?.[0]).toMatchObject({
        message: expect.stringContaining('revoked'),
        extensions: { code: 'UNAUTHENTICATED' },
      });
    });

    it('too deep and too costly operations are refused before they run', async () => {
      const deep = await gql(
        t.url,
        '{ log { nodes { cause { cause { cause { cause { cause { cause { cause { cause { cause { cause { cause { cause { id } } } } } } } } } } } } } } }',
      );
      expect(deep.status).toBe(400);
      expect(deep.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(deep.errors?.[0]?.message).toMatch(/depth/i);

      const page = 'log(first: 1000) { nodes { id derived { id type } } }';
      const costly = await gql(t.url, `{ a: ${page} b: ${page} c: ${page} }`);
      expect(costly.status).toBe(400);
      expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxCost: 20_000 });
      expect(costly.data ?? null).toBeNull();
    });

    it('over graphql-ws, bad subscriptions get the same codes as over HTTP', async () => {
      const client = wsClient(t.url);
      // graphql-ws sends request errors as an `error` message (a rejection) and errors of the
      // subscription's start as a result with errors: take them either way.
      const errorsOf = async (query: string) => {
        try {
          const result = await client.iterate({ query }).next();
          return (result.value as { errors?: unknown[] } | undefined)?.errors;
        } catch (errors) {
          return errors;
        }
      };
      expect(await errorsOf('subscription { eventAppended(system: "nope") { position } }')).toEqual([
        expect.objectContaining({
          message: 'system "nope" not found',
          extensions: { code: 'NOT_FOUND', system: 'nope' },
        }),
      ]);
      expect(await errorsOf('subscription { eventAppended { nothing } }')).toEqual([
        expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]);
      expect(await errorsOf('subscription { eventAppended(after: -1) { position } }')).toEqual([
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
        }),
      ]);
      await client.dispose();
    });

    it('a subscription sent over HTTP is told to use graphql-ws', async () => {
      const r = await gql(t.url, 'subscription { eventAppended { position } }');
      expect(r.status).toBe(400);
      expect(r.errors?.[0]).toMatchObject({
        message: expect.stringContaining('graphql-ws'),
        extensions: { code: 'BAD_REQUEST' },
      });
    });

    it('an oversized body is refused with PAYLOAD_TOO_LARGE', async () => {
      const history = `${JSON.stringify({ type: 'ProcessCreated', pid: 1 })}\n`.repeat(4000);
      const r = await gql(
        t.url,
        'mutation($h: String!) { importHistory(system: "big", history: $h) { version } }',
        { h: history },
        t.tokens.writer,
      );
      expect(r.status).toBe(413);
      expect(r.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect(r.errors?.[0]?.message).toContain('64kb');
    });

    it('a bad history names its line', async () => {
      const history =
        '{"policy": "MM_EXIT"}\n{"type": "ProcessCreated", "pid": 1}\n{"type": "ThreadCreated", "tid": 2}\n';
      const r = await gql(
        t.url,
        'mutation($h: String!) { importHistory(system: "h", history: $h) { version } }',
        { h: history },
        t.tokens.writer,
      );
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', line: 3 });
      expect(r.errors?.[0]?.message).toMatch(/line 3/);
      const systems = await ok<{ systems: { name: string }[] }>(t.url, '{ systems { name } }');
      expect(systems.systems.map((s) => s.name)).toEqual(['s']);
    });

    it('with READS_REQUIRE_KEY, reads need a key too', async () => {
      const config = loadConfig({ API_PORT: '0', DATABASE_URL: t.databaseUrl, READS_REQUIRE_KEY: 'true' });
      const strict = await startApiServer(t.store, config);
      try {
        const anonymous = await gql(strict.url, '{ systems { name } }');
        expect(anonymous.status).toBe(401);
        expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        const reader = await ok<{ systems: { name: string }[] }>(
          strict.url,
          '{ systems { name } }',
          {},
          t.tokens.reader,
        );
        expect(reader.systems).toHaveLength(1);
        // Subscriptions too: without a key the WebSocket is closed with 4403 Forbidden.
        const anonymousSocket = wsClient(strict.url);
        await expect(
          anonymousSocket.iterate({ query: 'subscription { eventAppended { position } }' }).next(),
        ).rejects.toMatchObject({ code: 4403 });
        await anonymousSocket.dispose();
      } finally {
        await strict.close();
      }
    });
  },
);

describe.skipIf(!(await postgresAvailable('the API tests')))('when the database fails', () => {
  let api: RunningApi | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await api?.close();
    await drop?.();
  });

  it('clients get INTERNAL_SERVER_ERROR without details, and /health says the database is down', async () => {
    const database = await createTestDatabase('api');
    drop = database.drop;
    const config = loadConfig({ API_PORT: '0', DATABASE_URL: database.url });
    const store = await openStore(config);
    api = await startApiServer(store, config);
    await store.close(); // A real failure: every query now fails inside the driver.
    const r = await gql(api.url, '{ systems { name } }');
    expect(r.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(r)).not.toMatch(/select|pool|prisma|stack|\.ts|\.js/i);
    // The same when the failure comes while checking a key, before any resolver runs.
    const keyed = await gql(api.url, '{ systems { name } }', {}, 'some-token');
    expect(keyed.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(keyed)).not.toMatch(/select|pool|prisma|stack|\.ts|\.js/i);
    for (const route of ['/health', '/readyz']) {
      const health = await fetch(new URL(route, api.url));
      expect(health.status, route).toBe(503);
      expect(await health.json(), route).toMatchObject({ status: 'unavailable', database: { up: false } });
    }
    // Alive all the same: restarting the process would not bring the database back.
    expect((await fetch(new URL('/livez', api.url))).status).toBe(200);
  });
});

describe('configuration', () => {
  it('names each wrong variable and why', () => {
    expect(() =>
      loadConfig({ API_PORT: 'eighty', READS_REQUIRE_KEY: 'maybe', API_BODY_LIMIT: 'lots' }),
    ).toThrow(
      /API_PORT="eighty": must be a port number[\s\S]*READS_REQUIRE_KEY="maybe": must be true or false[\s\S]*API_BODY_LIMIT="lots"/,
    );
    expect(loadConfig({})).toMatchObject({
      port: 4000,
      dataDir: '.data',
      readsRequireKey: false,
      databaseUrl: undefined,
    });
  });
});
