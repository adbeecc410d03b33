import type { EventStore } from '@pasid/store';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { gql, ok } from '../support/client.js';

const EVENTS = 6000;
/** The default API_MAX_COMPLEXITY. */
const LIMIT = 20_000;

/**
 * Cost follows the work (issue 12.4): `verifyLog` costs the events of the log, a state the
 * versions it replays from its nearest snapshot; a request above the limit is refused before any
 * of its work starts (the store is never asked to verify or replay).
 */
describe.skipIf(!(await postgresAvailable('the API attack tests')))('cost follows the work', () => {
  let t: TestApi;
  const calls = { verify: 0, whatIf: 0, inputsOf: 0 };
  beforeAll(async () => {
    t = await startTestApi({}, (store) => counting(store, calls));
    const lines = Array.from({ length: EVENTS }, (_, i) =>
      JSON.stringify({ type: 'ProcessCreated', pid: i + 1 }),
    );
    await ok(
      t.url,
      'mutation($h: String!) { importHistory(system: "big", policy: LAZY_REFCOUNT, history: $h) { version } }',
      { h: `${lines.join('\n')}\n` },
      t.tokens.writer,
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const refused = async (query: string) => {
    const before = { ...calls };
    const result = await gql(t.url, query, {}, t.tokens.reader);
    expect(result.status).toBe(400);
    expect(result.data ?? null).toBeNull();
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const cost = error?.extensions?.cost as number;
    expect(cost).toBeGreaterThan(LIMIT);
    expect(error?.extensions?.maxCost).toBe(LIMIT);
    expect(error?.message).toContain(`costs ${cost}, more than the limit of ${LIMIT}`);
    // Nothing ran: no verification, no what-if replay.
    expect(calls).toEqual(before);
    return cost;
  };

  it(`aliased verifyLog on a ${EVENTS}-event log is refused by cost; a single one runs`, async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `v${i}: verifyLog { ok }`).join(' ')} }`;
    const cost = await refused(aliases(19));
    // About 19 times the log's size: the cost follows the events, not a fixed price per field.
    expect(cost).toBeGreaterThanOrEqual((19 * EVENTS) / 5);
    expect(await ok(t.url, '{ verifyLog { ok eventsChecked } }', {}, t.tokens.reader)).toEqual({
      verifyLog: { ok: true, eventsChecked: EVENTS },
    });
    expect(calls.verify).toBe(1);
  });

  it('aliased what-if states that replay the whole history are refused; one runs; recorded states are cheap', async () => {
    const states = (n: number, args: string) =>
      `{ system(name: "big") { ${Array.from({ length: n }, (_, i) => `s${i}: state(${args}) { events }`).join(' ')} } }`;
    await refused(states(20, `at: ${EVENTS}, policy: EAGER_UNBIND`));
    // Through a fragment and a variable too: the same replays, the same refusal.
    const viaFragment = await gql(
      t.url,
      `query($p: Policy) { ...Big } fragment Big on Query { system(name: "big") { ${Array.from({ length: 20 }, (_, i) => `s${i}: state(at: ${EVENTS - i}, policy: $p) { events }`).join(' ')} } }`,
      { p: 'MM_EXIT' },
      t.tokens.reader,
    );
    expect(viaFragment.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(calls.whatIf).toBe(0);
    expect(
      await ok(
        t.url,
        `{ system(name: "big") { state(at: ${EVENTS}, policy: EAGER_UNBIND) { events } } }`,
        {},
        t.tokens.reader,
      ),
    ).toEqual({ system: { state: { events: EVENTS } } });
    expect(calls.whatIf).toBe(1);
    // Recorded states start from a snapshot (every 250 versions): 20 of them cost little.
    const recorded = await ok<{ system: Record<string, { events: number }> }>(
      t.url,
      states(20, `at: ${EVENTS - 1}`),
      {},
      t.tokens.reader,
    );
    expect(Object.values(recorded.system).every((s) => s.events === EVENTS - 1)).toBe(true);
    // `states` is priced per version read the same way.
    const many = `[${Array.from({ length: 20 }, (_, i) => EVENTS - i).join(', ')}]`;
    await refused(`{ system(name: "big") { states(versions: ${many}, policy: MM_EXIT) { events } } }`);
  });

  it('aliased divergence searches over the whole history are refused by cost; one on a short history runs', async () => {
    const search = (system: string) =>
      `divergence(system: "${system}", policies: [LAZY_REFCOUNT, EAGER_UNBIND]) { version }`;
    await refused(`{ ${Array.from({ length: 9 }, (_, i) => `d${i}: ${search('big')}`).join(' ')} }`);
    expect(calls.inputsOf).toBe(0);
    const lines = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ type: 'ProcessCreated', pid: i + 1 }),
    );
    await ok(
      t.url,
      'mutation($h: String!) { importHistory(system: "short", policy: LAZY_REFCOUNT, history: $h) { version } }',
      { h: `${lines.join('\n')}\n` },
      t.tokens.writer,
    );
    // ProcessCreated only: the policies never differ, so the search walks the whole history.
    expect(await ok(t.url, `{ ${search('short')} }`, {}, t.tokens.reader)).toEqual({ divergence: null });
    expect(calls.inputsOf).toBe(1);
  });
});

/** The store with its verify calls, what-if state reads and history walks counted (the server gets this one). */
function counting(
  store: EventStore,
  calls: { verify: number; whatIf: number; inputsOf: number },
): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'verify') {
        return (...args: Parameters<EventStore['verify']>) => {
          calls.verify += 1;
          return target.verify(...args);
        };
      }
      if (property === 'inputsOf') {
        return (...args: Parameters<EventStore['inputsOf']>) => {
          calls.inputsOf += 1;
          return target.inputsOf(...args);
        };
      }
      if (property === 'state') {
        return (...args: Parameters<EventStore['state']>) => {
          if (args[1]?.policy !== undefined) calls.whatIf += 1;
          return target.state(...args);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
