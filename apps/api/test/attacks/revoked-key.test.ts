import { postgresAvailable } from '@pasid/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApi, type TestApi } from '../support/api.js';
import { ok } from '../support/client.js';
import { until } from './support.js';

/** A client that remembers how its socket closed. */
function trackedClient(url: string, token: string) {
  const closes: number[] = [];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    connectionParams: { authorization: `Bearer ${token}` },
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  const run = <T>(query: string) =>
    new Promise<{ data?: T; errors?: unknown }>((resolve) => {
      client.subscribe<T>(
        { query },
        {
          next: (value) => resolve(value as { data?: T; errors?: unknown }),
          error: (error) => resolve({ errors: error }),
          complete: () => {},
        },
      );
    });
  return { client, closes, run };
}

/** A key revoked with `keys.js revoke` must stop working on sockets already open. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))(
  'a revoked key on an open WebSocket',
  () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await startTestApi({ API_KEY_RECHECK_MS: '300' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('a revoked writer can no longer write on its socket, which closes with 4403', async () => {
      const { token } = await t.store.apiKeys.create('leaving-writer', 'writer');
      const w = trackedClient(t.wsUrl, token);
      const created = await w.run<{ createSystem: { name: string } }>(
        'mutation { createSystem(input: { name: "revoked-w", policy: MM_EXIT }) { name } }',
      );
      expect(created.data?.createSystem.name).toBe('revoked-w');
      await t.store.apiKeys.revoke('leaving-writer');
      // At once, on the next operation, before any periodic check.
      const after = await w.run<{ recordEvents: { version: number } }>(
        'mutation { recordEvents(system: "revoked-w", events: [{ type: ProcessCreated, pid: 1 }]) { version } }',
      );
      expect(after.data?.recordEvents).toBeUndefined();
      await until(() => w.closes.length > 0, 5000, 'the socket to close');
      expect(w.closes).toEqual([4403]);
      expect(await ok(t.url, '{ system(name: "revoked-w") { version } }')).toEqual({
        system: { version: 0 },
      });
      await w.client.dispose();
    });

    it("a revoked reader's subscription ends within the recheck bound", async () => {
      const { token } = await t.store.apiKeys.create('leaving-reader', 'reader');
      await ok(
        t.url,
        'mutation { createSystem(input: { name: "revoked-r", policy: MM_EXIT }) { name } }',
        {},
        t.tokens.writer,
      );
      const r = trackedClient(t.wsUrl, token);
      const received: string[] = [];
      let ended = false;
      r.client.subscribe<{ eventAppended: { position: string } }>(
        { query: 'subscription { eventAppended(system: "revoked-r", after: 0) { position } }' },
        {
          next: (v) => {
            if (v.data) received.push(v.data.eventAppended.position);
          },
          error: () => {
            ended = true;
          },
          complete: () => {
            ended = true;
          },
        },
      );
      const record = (pid: number) =>
        ok(
          t.url,
          `mutation { recordEvents(system: "revoked-r", events: [{ type: ProcessCreated, pid: ${pid} }]) { version } }`,
          {},
          t.tokens.writer,
        );
      await record(1);
      await until(() => received.length === 1, 5000, 'the first event');
      await t.store.apiKeys.revoke('leaving-reader');
      const revokedAt = Date.now();
      await until(() => ended, 5000, 'the subscription to end');
      expect(Date.now() - revokedAt).toBeLessThan(3000);
      expect(r.closes).toEqual([4403]);
      await record(2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toHaveLength(1);
      await r.client.dispose();
    });
  },
);
