import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { gql, ok } from '../support/client.js';
import { until } from './support.js';

/** Long work (log walks, replays) is bounded per key: aliases cannot multiply it. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))(
  'long work per request and per key',
  () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await startTestApi({ API_LONG_WORK_CONCURRENCY: '1', API_LONG_WORK_PER_KEY: '3' });
      const lines = Array.from({ length: 300 }, (_, i) =>
        JSON.stringify({ type: 'ProcessCreated', pid: i + 1 }),
      );
      await ok(
        t.url,
        'mutation($h: String!) { importHistory(system: "w", policy: LAZY_REFCOUNT, history: $h) { version } }',
        { h: `${lines.join('\n')}\n` },
        t.tokens.writer,
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('aliased verifyLog and what-if states beyond the per-key bound are refused as retryable TOO_MANY_REQUESTS', async () => {
      const fields = [
        ...Array.from({ length: 6 }, (_, i) => `v${i}: verifyLog { ok }`),
        `system(name: "w") { ${Array.from({ length: 6 }, (_, i) => `s${i}: state(at: ${i * 40 + 1}, policy: EAGER_UNBIND) { events }`).join(' ')} }`,
      ];
      const livez = fetch(t.url.replace('/graphql', '/livez'));
      const result = await gql(t.url, `{ ${fields.join(' ')} }`, {}, t.tokens.reader);
      const codes = (result.errors ?? []).map((e) => e.extensions?.code);
      expect(codes.length).toBeGreaterThan(0);
      expect(new Set(codes)).toEqual(new Set(['TOO_MANY_REQUESTS']));
      expect(result.errors?.every((e) => e.extensions?.retryable === true)).toBe(true);
      // Once the walks already started have ended, a request within the bound runs whole.
      const within =
        '{ a: verifyLog { ok } b: verifyLog { ok } system(name: "w") { state(at: 5, policy: MM_EXIT) { events } } }';
      let answer: unknown;
      await until(
        async () => {
          const r = await gql(t.url, within, {}, t.tokens.reader);
          answer = r.data;
          return r.errors === undefined;
        },
        20_000,
        'the key to have no long work left',
      );
      expect(answer).toEqual({ a: { ok: true }, b: { ok: true }, system: { state: { events: 5 } } });
      expect((await livez).status).toBe(200);
      // Another key is not held back by the first one's refusals.
      expect(await ok(t.url, '{ verifyLog { ok } }', {}, t.tokens.admin)).toEqual({
        verifyLog: { ok: true },
      });
    });
  },
);
