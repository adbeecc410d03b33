import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { gql, ok } from '../support/client.js';

const RECORD = `mutation($events: [LifecycleEventInput!]!) {
  recordEvents(system: "c", events: $events) { version }
}`;

/** The caller's mistakes get a coded client error naming the field, never INTERNAL_SERVER_ERROR. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))(
  'client errors reported as client errors',
  () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await startTestApi();
      await ok(
        t.url,
        'mutation { createSystem(input: { name: "c", policy: LAZY_REFCOUNT }) { name } }',
        {},
        t.tokens.writer,
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('an at in year 0 is a BAD_USER_INPUT naming the field', async () => {
      const event = { type: 'ProcessCreated', pid: 1, at: '0000-01-01T00:00:00Z' };
      const field = 'at';
      const result = await gql(t.url, RECORD, { events: [event] }, t.tokens.writer);
      expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        eventIndex: 0,
        field,
      });
    });

    // GraphQL's Int stops these in recordEvents; a history file reaches the domain with them.
    it.each([
      ['a pid above int4', '{"type":"ProcessCreated","pid":2147483648}', 'pid'],
      ['a tid above int4', '{"type":"TaskExited","tid":2147483648}', 'tid'],
      [
        'a pasid above int4',
        '{"type":"DeviceBound","pid":1,"device":"0000:6a:01.0","pasid":2147483648}',
        'pasid',
      ],
    ])('%s in an imported history is a BAD_USER_INPUT naming the line and field', async (_, line, field) => {
      const result = await gql(
        t.url,
        'mutation($h: String!) { importHistory(system: "big-ids", policy: MM_EXIT, history: $h) { version } }',
        { h: `{"type":"ProcessCreated","pid":1}\n${line}\n` },
        t.tokens.writer,
      );
      expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        line: 2,
        field,
      });
    });

    it('a system name holding NUL is a BAD_USER_INPUT naming the name', async () => {
      const result = await gql(
        t.url,
        'mutation($name: String!) { createSystem(input: { name: $name, policy: MM_EXIT }) { name } }',
        { name: 'evil\u0000name' },
        t.tokens.writer,
      );
      expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'name',
      });
    });

    it('a persisted query whose hash does not match is a 400 naming the hash', async () => {
      const response = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: '{ systems { name } }',
          extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
        }),
      });
      const body = (await response.json()) as {
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      };
      expect(response.status).toBe(400);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
      expect(body.errors?.[0]?.message).toMatch(/hash/i);
    });
  },
);
