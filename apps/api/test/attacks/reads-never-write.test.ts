import { postgresAvailable, sql } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { ok } from '../support/client.js';

/** A reader must not be able to make the database grow: what-if states are not stored. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('a read never writes', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
    const lines = Array.from({ length: 600 }, (_, i) =>
      JSON.stringify({ type: 'ProcessCreated', pid: i + 1 }),
    );
    await ok(
      t.url,
      'mutation($h: String!) { importHistory(system: "long", policy: LAZY_REFCOUNT, history: $h) { version } }',
      { h: `${lines.join('\n')}\n` },
      t.tokens.writer,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('what-if states under other policies leave the snapshots table as it was, and answer the same twice', async () => {
    const snapshots = async () =>
      (await sql<{ n: string }>(t.databaseUrl, 'SELECT count(*) AS n FROM snapshots'))[0]?.n;
    const before = await snapshots();
    const query = `{ system(name: "long") {
      eager: state(policy: EAGER_UNBIND) { events pasids { pasid } }
      mm: state(at: 520, policy: MM_EXIT) { events }
    } }`;
    const first = await ok(t.url, query);
    expect(await snapshots()).toBe(before);
    expect(await ok(t.url, query)).toEqual(first);
    expect(first).toMatchObject({ system: { eager: { events: 600 }, mm: { events: 520 } } });
  });
});
