import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';
import { workedExampleText } from './support/worked-example.js';

type Page = {
  hazards: {
    items: { system: string; seq: number; code: string; event: number; description: string }[];
    next: { system: string; seq: number } | null;
  };
};

const QUERY = `query Hazards($system: String, $code: HazardCode, $after: HazardCursor, $first: Int) {
  hazards(system: $system, code: $code, after: $after, first: $first) {
    items { system seq code event description } next { system seq }
  }
}`;

describe.skipIf(!(await postgresAvailable('the hazards API tests')))(
  "hazards by system and by code, paged, from the store's hazards table",
  () => {
    let t: TestApi;

    beforeAll(async () => {
      t = await startTestApi();
      for (const system of ['worked-a', 'worked-b']) {
        await ok(
          t.url,
          'mutation Import($s: String!, $h: String!) { importHistory(system: $s, history: $h) { version } }',
          { s: system, h: workedExampleText.replace('worked-example', system) },
          t.tokens.writer,
        );
      }
    });
    afterAll(() => t?.close());

    it('pages every hazard once, in (system, seq) order, equal to the replayed state', async () => {
      const seen: Page['hazards']['items'] = [];
      let after: { system: string; seq: number } | null = null;
      for (;;) {
        const page: Page = await ok<Page>(t.url, QUERY, { after, first: 1 }, t.tokens.reader);
        seen.push(...page.hazards.items);
        after = page.hazards.next;
        if (!after) break;
      }
      const expected = [];
      for (const system of ['worked-a', 'worked-b']) {
        const state = await t.store.stateDocument(system);
        expected.push(...state.hazards.map((h, i) => ({ system, seq: i + 1, code: h.code, event: h.event })));
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(seen.map(({ description: _, ...h }) => h)).toEqual(expected);
      expect(seen.every((h) => h.description.length > 0)).toBe(true);

      const code = expected[0]?.code as string;
      const byCode = await ok<Page>(t.url, QUERY, { code, system: 'worked-b' }, t.tokens.reader);
      expect(byCode.hazards.items.map((h) => [h.system, h.seq])).toEqual(
        expected.filter((h) => h.code === code && h.system === 'worked-b').map((h) => [h.system, h.seq]),
      );
      expect(byCode.hazards.next).toBeNull();

      const bad = await gql(t.url, QUERY, { first: 0 }, t.tokens.reader);
      expect(bad.errors?.[0]?.message).toMatch(/first must be from 1 to 1000, got 0/);
      expect(bad.errors?.[0]?.extensions?.field).toBe('first');
    });
  },
);
