import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';
import { workedExampleText } from './support/worked-example.js';

describe.skipIf(!(await postgresAvailable('the data-path API tests')))(
  'events by version range, divergence and many states in one request',
  () => {
    let t: TestApi;

    beforeAll(async () => {
      t = await startTestApi();
      await ok(
        t.url,
        'mutation Import($h: String!) { importHistory(system: "worked-example", history: $h) { version } }',
        { h: workedExampleText },
        t.tokens.writer,
      );
    });
    afterAll(() => t?.close());

    it('pages the events of a range of versions, inputs with their derived events', async () => {
      const { events } = await ok<{
        events: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          nodes: { version: number; index: number }[];
        };
      }>(
        t.url,
        '{ events(system: "worked-example", fromVersion: 11, toVersion: 13, first: 3) { pageInfo { hasNextPage endCursor } nodes { version index } } }',
        {},
        t.tokens.reader,
      );
      expect(events.nodes[0]).toEqual({ version: 11, index: 0 });
      expect(events.pageInfo.hasNextPage).toBe(true);
      const rest = await ok<{ events: { pageInfo: { hasNextPage: boolean }; nodes: { version: number }[] } }>(
        t.url,
        `{ events(system: "worked-example", fromVersion: 11, toVersion: 13, first: 100, after: "${events.pageInfo.endCursor}") { pageInfo { hasNextPage } nodes { version } } }`,
        {},
        t.tokens.reader,
      );
      const versions = [...events.nodes, ...rest.events.nodes].map((n) => n.version);
      expect(new Set(versions)).toEqual(new Set([11, 12, 13]));
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(rest.events.pageInfo.hasNextPage).toBe(false);
      const all = await t.store.readStream('worked-example', { fromVersion: 11, toVersion: 13 });
      expect(versions.length).toBe(all.length);

      const bad = await gql(
        t.url,
        '{ events(system: "worked-example", fromVersion: 5, toVersion: 4) { nodes { id } } }',
        {},
        t.tokens.reader,
      );
      expect(bad.errors?.[0]?.message).toMatch(/fromVersion \(5\) must not be after toVersion \(4\)/);
      expect(bad.errors?.[0]?.extensions?.field).toBe('fromVersion');
    });

    it("finds the worked example's divergence at input 11 under LAZY_REFCOUNT vs EAGER_UNBIND", async () => {
      const { divergence } = await ok<{
        divergence: {
          version: number;
          input: { type: string; version: number };
          policies: string[];
          differences: {
            field: string;
            key: string | null;
            left: string;
            right: string;
            description: string;
          }[];
          explanation: string;
        };
      }>(
        t.url,
        '{ divergence(system: "worked-example", policies: [LAZY_REFCOUNT, EAGER_UNBIND]) { version input { type version } policies differences { field key left right description } explanation } }',
        {},
        t.tokens.reader,
      );
      expect(divergence.version).toBe(11);
      expect(divergence.input).toEqual({ type: 'DeviceUnbound', version: 11 });
      expect(divergence.policies).toEqual(['LAZY_REFCOUNT', 'EAGER_UNBIND']);
      const pasid1 = divergence.differences.find((d) => d.field === 'pasids' && d.key === 'pasid=1');
      expect(pasid1 && JSON.parse(pasid1.left)).toMatchObject({ pasid: 1, pid: 100 });
      expect(pasid1?.right).toBe('null');
      expect(pasid1?.description).toMatch(/under LAZY_REFCOUNT, nothing under EAGER_UNBIND/);
      expect(divergence.explanation).toMatch(
        /^After pid 100 unbinds 0000:6a:02\.0, EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1 \(LAZY_REFCOUNT keeps it for pid 100\)/,
      );
    });

    it('answers null when the policies agree, and refuses anything but two policies', async () => {
      const same = await ok<{ divergence: null }>(
        t.url,
        '{ divergence(system: "worked-example", policies: [MM_EXIT, MM_EXIT]) { version } }',
        {},
        t.tokens.reader,
      );
      expect(same.divergence).toBeNull();
      const one = await gql(
        t.url,
        '{ divergence(system: "worked-example", policies: [MM_EXIT]) { version } }',
        {},
        t.tokens.reader,
      );
      expect(one.errors?.[0]?.extensions?.field).toBe('policies');
      const missing = await gql(
        t.url,
        '{ divergence(system: "nope", policies: [MM_EXIT, EAGER_UNBIND]) { version } }',
        {},
        t.tokens.reader,
      );
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('serves the states of many versions in one request, equal to one state at a time', async () => {
      const { system } = await ok<{ system: { states: { events: number; freed: number[] }[] } }>(
        t.url,
        '{ system(name: "worked-example") { states(versions: [14, 0, 11, 7], policy: EAGER_UNBIND) { events freed } } }',
        {},
        t.tokens.reader,
      );
      expect(system.states.map((s) => s.events)).toEqual([14, 0, 11, 7]);
      for (const [i, version] of [14, 0, 11, 7].entries()) {
        const one = await ok<{ system: { state: { events: number; freed: number[] } } }>(
          t.url,
          `{ system(name: "worked-example") { state(at: ${version}, policy: EAGER_UNBIND) { events freed } } }`,
          {},
          t.tokens.reader,
        );
        expect(system.states[i]).toEqual(one.system.state);
      }
      const outOfRange = await gql(
        t.url,
        '{ system(name: "worked-example") { states(versions: [3, 15]) { events } } }',
        {},
        t.tokens.reader,
      );
      expect(outOfRange.errors?.[0]?.extensions?.field).toBe('at');
    });
  },
);
