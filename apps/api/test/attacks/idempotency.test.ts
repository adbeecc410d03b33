import { randomUUID } from 'node:crypto';
import { countEvents, postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { gql, ok } from '../support/client.js';

const RECORD = `mutation($events: [LifecycleEventInput!]!, $v: Int) {
  recordEvents(system: "idem", expectedVersion: $v, events: $events) {
    version idempotentReplay events { id kind position }
  }
}`;
type Recorded = {
  recordEvents: {
    version: number;
    idempotentReplay: boolean;
    events: { id: string; kind: string; position: string }[];
  };
};
const DEV = '0000:6a:01.0';

/** An id says "this is a retry" only when the content says so too. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('idempotency by content', () => {
  let t: TestApi;
  const x = randomUUID();
  const at = '2026-11-30T10:00:00Z';
  beforeAll(async () => {
    t = await startTestApi();
    await ok(
      t.url,
      'mutation { createSystem(input: { name: "idem", policy: LAZY_REFCOUNT }) { name } }',
      {},
      t.tokens.writer,
    );
    await ok(
      t.url,
      RECORD,
      { events: [{ type: 'ProcessCreated', pid: 1, id: x, at }], v: 0 },
      t.tokens.writer,
    );
  });
  afterAll(async () => {
    await t?.close();
  });
  const record = (events: Record<string, unknown>[], v?: number) =>
    gql<Recorded>(t.url, RECORD, { events, ...(v === undefined ? {} : { v }) }, t.tokens.writer);

  it.each([
    ['another pid', { type: 'ProcessCreated', pid: 2, id: x, at }, undefined],
    ['another type', { type: 'ProcessExec', pid: 1, id: x, at }, undefined],
    ['another at', { type: 'ProcessCreated', pid: 1, id: x, at: '2026-11-30T11:00:00Z' }, undefined],
    ['no at', { type: 'ProcessCreated', pid: 1, id: x }, undefined],
    ['a stale expectedVersion', { type: 'ProcessCreated', pid: 1, id: x, at }, 7],
  ])('a recorded id with %s is a CONFLICT naming the id, and nothing is stored', async (_, event, v) => {
    const before = await countEvents(t.databaseUrl);
    const result = await record([event], v);
    expect(result.data?.recordEvents ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      eventIndex: 0,
      field: 'id',
      id: x,
    });
    expect(result.errors?.[0]?.message).toContain(x);
    expect(await countEvents(t.databaseUrl)).toBe(before);
  });

  it('the same content is a replay, with or without the right expectedVersion', async () => {
    for (const v of [0, undefined]) {
      const result = await record([{ type: 'ProcessCreated', pid: 1, id: x, at }], v);
      expect(result.data?.recordEvents.idempotentReplay).toBe(true);
      expect(result.data?.recordEvents.events.map((e) => e.id)).toEqual([x]);
    }
  });

  it("an input id equal to a derived event's id is a CONFLICT, not a replay of an unrelated batch", async () => {
    const bound = await ok<Recorded>(
      t.url,
      RECORD,
      { events: [{ type: 'DeviceBound', pid: 1, device: DEV }] },
      t.tokens.writer,
    );
    const derived = bound.recordEvents.events.find((e) => e.kind === 'DERIVED');
    expect(derived).toBeDefined();
    const result = await record([{ type: 'ProcessCreated', pid: 3, id: derived?.id }]);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'id', id: derived?.id });
  });

  it('the same new id twice in one batch is a BAD_USER_INPUT naming both indexes', async () => {
    const y = randomUUID();
    const before = await countEvents(t.databaseUrl);
    const result = await record([
      { type: 'ProcessCreated', pid: 10, id: y },
      { type: 'ProcessCreated', pid: 11 },
      { type: 'ProcessCreated', pid: 12, id: y },
    ]);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      eventIndex: 2,
      field: 'id',
    });
    expect(result.errors?.[0]?.message).toMatch(/events 0 and 2/);
    expect(await countEvents(t.databaseUrl)).toBe(before);
  });
});
