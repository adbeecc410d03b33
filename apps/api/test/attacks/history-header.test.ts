import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { gql } from '../support/client.js';

/** The docs promise: a history whose header names another system is refused, wherever the header is. */
describe.skipIf(!(await postgresAvailable('the API attack tests')))(
  'the header of an imported history',
  () => {
    let t: TestApi;
    beforeAll(async () => {
      t = await startTestApi();
    });
    afterAll(async () => {
      await t?.close();
    });

    it.each([0, 59, 200])(
      'naming another system after %i blank lines is refused with its line',
      async (blank) => {
        const history = `${'\n'.repeat(blank)}{"system":"other-machine","policy":"MM_EXIT"}\n{"type":"ProcessCreated","pid":1}\n`;
        const name = `mine-${blank}`;
        const result = await gql(
          t.url,
          'mutation($s: String!, $h: String!) { importHistory(system: $s, history: $h) { version } }',
          { s: name, h: history },
          t.tokens.writer,
        );
        expect(result.errors?.[0]?.extensions, JSON.stringify(result.errors)).toMatchObject({
          code: 'BAD_USER_INPUT',
          line: blank + 1,
          field: 'system',
        });
        expect(result.errors?.[0]?.message).toContain('other-machine');
        expect(await t.store.getSystem(name)).toBeNull();
      },
    );
  },
);
