import { postgresAvailable, setLogHead, sql } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { ok } from './support/client.js';
import { collect, wsClient } from './support/subscriber.js';
import { workedExampleEvents, workedExampleText } from './support/worked-example.js';

/**
 * A log far along: its head set past 2^31 (where GraphQL's Int ends) and past 2^53 (where JSON
 * numbers stop being exact), then events recorded, read, paged and followed over real HTTP and
 * graphql-ws. Every position is checked digit for digit, as the string the API writes.
 */

const RECORD = `mutation($system: String!, $events: [LifecycleEventInput!]!) {
  recordEvents(system: $system, events: $events) { version events { position } }
}`;
const APPENDED =
  'subscription($after: Position) { eventAppended(system: "far", after: $after) { position version } }';

type Appended = { eventAppended: { position: string; version: number } };
type Page = {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { position: string } }[];
};

const plus = (head: bigint, n: number) => (head + BigInt(n)).toString();

for (const [label, head] of [
  ['past 2^31', 2n ** 31n + 10n],
  ['past 2^53', 2n ** 53n],
] as const) {
  describe.skipIf(!(await postgresAvailable('the API position tests')))(
    `a log whose head is ${label}`,
    () => {
      let t: TestApi;
      /** Every position recorded, in order, as the API answered them. */
      let recorded: string[] = [];

      beforeAll(async () => {
        t = await startTestApi();
        await setLogHead({ query: (text, params) => sql(t.databaseUrl, text, params) }, head);
        await ok(
          t.url,
          'mutation { createSystem(input: { name: "far", policy: LAZY_REFCOUNT }) { name } }',
          {},
          t.tokens.writer,
        );
      });
      afterAll(async () => {
        await t?.close();
      });

      it('records events at exact positions, and a subscriber from the head gets each once, in order', async () => {
        const client = wsClient(t.url, t.tokens.reader);
        const live = client.iterate<Appended>({ query: APPENDED, variables: { after: head.toString() } });
        // The subscription is open once it answers; record the first event only then.
        const first = live.next();
        const r = await ok<{ recordEvents: { events: { position: string }[] } }>(
          t.url,
          RECORD,
          { system: 'far', events: workedExampleEvents.slice(0, 1) },
          t.tokens.writer,
        );
        recorded = r.recordEvents.events.map((e) => e.position);
        expect(recorded).toEqual([plus(head, 1)]);
        const got = [((await first).value as { data: Appended }).data];
        for (const event of workedExampleEvents.slice(1)) {
          const more = await ok<{ recordEvents: { events: { position: string }[] } }>(
            t.url,
            RECORD,
            { system: 'far', events: [event] },
            t.tokens.writer,
          );
          recorded.push(...more.recordEvents.events.map((e) => e.position));
        }
        // Gap-free from head + 1, every digit kept (past 2^53 a float would repeat or skip some).
        expect(recorded).toEqual(recorded.map((_, i) => plus(head, i + 1)));
        got.push(...(await collect(live, (items) => items.length >= recorded.length - 1)));
        expect(got.map((g) => g.eventAppended.position)).toEqual(recorded);
        expect(got.at(-1)?.eventAppended.version).toBe(14);
        await client.dispose();
      });

      it('reads them back through events and log, paging by cursor', async () => {
        const seen: string[] = [];
        let after: string | null = null;
        for (let pages = 0; pages < 100; pages += 1) {
          const { events }: { events: Page } = await ok<{ events: Page }>(
            t.url,
            'query($after: String) { events(system: "far", first: 7, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { position } } } }',
            { after },
          );
          for (const e of events.edges) {
            expect(e.cursor).toBe(e.node.position);
            seen.push(e.node.position);
          }
          if (!events.pageInfo.hasNextPage) break;
          after = events.pageInfo.endCursor;
        }
        expect(seen).toEqual(recorded);
        const { log } = await ok<{ log: { nodes: { position: string }[] } }>(
          t.url,
          `{ log(first: 5, after: "${recorded[2]}") { nodes { position } } }`,
        );
        expect(log.nodes.map((n) => n.position)).toEqual(recorded.slice(3, 8));
        const { system } = await ok<{ system: { state: { events: number } } }>(
          t.url,
          '{ system(name: "far") { state { events } } }',
        );
        expect(system.state.events).toBe(14);
      });

      it('resumes a subscription `after` a position: every later event once, in order', async () => {
        const client = wsClient(t.url, t.tokens.reader);
        const resumed = await collect(
          client.iterate<Appended>({ query: APPENDED, variables: { after: recorded[4] } }),
          (items) => items.length >= recorded.length - 5,
        );
        expect(resumed.map((g) => g.eventAppended.position)).toEqual(recorded.slice(5));
        await client.dispose();
      });

      it('a state subscription and an import work past the head too', async () => {
        const client = wsClient(t.url, t.tokens.reader);
        const states = client.iterate<{ systemStateChanged: { events: number } }>({
          query: 'subscription { systemStateChanged(system: "far") { events } }',
        });
        expect((await collect(states, (items) => items.length >= 1))[0]?.systemStateChanged.events).toBe(14);
        await client.dispose();
        const { importHistory } = await ok<{ importHistory: { lastPosition: string; version: number } }>(
          t.url,
          'mutation($h: String!) { importHistory(system: "worked-example", history: $h) { lastPosition version } }',
          { h: workedExampleText },
          t.tokens.writer,
        );
        const { system } = await ok<{ system: { eventCount: number } }>(
          t.url,
          '{ system(name: "worked-example") { eventCount } }',
        );
        expect(importHistory.lastPosition).toBe(plus(head, recorded.length + system.eventCount));
      });

      it('verifyLog names the first position exactly (the head was moved: positions 1.. are missing)', async () => {
        const { verifyLog } = await ok<{ verifyLog: { breaches: { position: string; reason: string }[] } }>(
          t.url,
          '{ verifyLog { breaches { position reason } } }',
        );
        expect(verifyLog.breaches).toContainEqual({
          position: plus(head, 1),
          reason: `removed: positions 1..${head} are missing from the log`,
        });
      });
    },
  );
}

describe.skipIf(!(await postgresAvailable('the API position tests')))('the Position scalar as input', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
    await ok(
      t.url,
      'mutation { createSystem(input: { name: "small", policy: MM_EXIT }) { name } }',
      {},
      t.tokens.writer,
    );
    await ok(t.url, RECORD, { system: 'small', events: workedExampleEvents.slice(0, 3) }, t.tokens.writer);
  });
  afterAll(async () => {
    await t?.close();
  });

  const firstResult = async (payload: { query: string; variables?: Record<string, unknown> }) => {
    const client = wsClient(t.url, t.tokens.reader);
    try {
      const result = await client.iterate(payload).next();
      return result.value as { data?: unknown; errors?: unknown[] } | undefined;
    } catch (errors) {
      return { errors: errors as unknown[] };
    } finally {
      await client.dispose();
    }
  };

  it('still takes an Int literal for `after` (the contract before Position), and a string', async () => {
    for (const after of ['1', '"1"']) {
      const result = await firstResult({
        query: `subscription { eventAppended(system: "small", after: ${after}) { position } }`,
      });
      expect(result?.data).toEqual({ eventAppended: { position: '2' } });
    }
    const asNumber = await firstResult({
      query: APPENDED.replace('"far"', '"small"'),
      variables: { after: 1 },
    });
    expect(asNumber?.data).toEqual({ eventAppended: { position: '2', version: 2 } });
  });

  it('refuses what is not a position with BAD_USER_INPUT, naming the argument', async () => {
    for (const after of [
      '-1',
      '"-1"',
      '1.5',
      '"12abc"',
      '"9223372036854775808"',
      '9007199254740992',
      'true',
    ]) {
      const result = await firstResult({
        query: `subscription { eventAppended(system: "small", after: ${after}) { position } }`,
      });
      expect(result?.errors, after).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/^after: a position is a decimal string/),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }),
        }),
      ]);
    }
    // As a JSON number past 2^53 the value has already been rounded: refused, not misread.
    for (const after of [Number.MAX_SAFE_INTEGER + 2, -1, 'x', { n: 1 }]) {
      const result = await firstResult({
        query: APPENDED.replace('"far"', '"small"'),
        variables: { after },
      });
      expect(result?.errors, JSON.stringify(after)).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(
            /^Variable "\$after" got invalid value .*; a position is a decimal string/,
          ),
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ]);
    }
  });

  it('refuses an events cursor past the int8 range', async () => {
    const { gql } = await import('./support/client.js');
    const r = await gql(t.url, '{ log(first: 1, after: "9223372036854775808") { nodes { position } } }');
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
