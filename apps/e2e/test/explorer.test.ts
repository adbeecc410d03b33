import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresAvailable, productEnv, type TestDatabase } from '@pasid/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from './support/browser.js';
import { graphql, REPO_ROOT, type RunningProcess, run } from './support/processes.js';

/**
 * GET /graphql in a browser with no way out of this machine: GraphiQL loads from the API's own
 * assets, and its API key field authenticates the operations (reads require a key here).
 * Introspection follows API_INTROSPECTION.
 */
const API_MAIN = path.join(REPO_ROOT, 'apps/api/dist/main.js');
const KEYS = path.join(REPO_ROOT, 'apps/api/dist/keys.js');
const hasPostgres = await postgresAvailable('the production checks');
const hasChromium = chromiumAvailable();

describe.skipIf(!hasPostgres)('the API explorer', () => {
  let db: TestDatabase;
  const apis: RunningProcess[] = [];
  let browser: Browser | undefined;
  let key: string;

  const startApi = async (env: Record<string, string>) => {
    const api = run('api', process.execPath, [API_MAIN], {
      cwd: REPO_ROOT,
      env: productEnv({ DATABASE_URL: db.url, API_PORT: '0', API_HOST: '127.0.0.1', ...env }),
    });
    apis.push(api);
    return (await api.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  };

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    key = (
      await promisify(execFile)(process.execPath, [KEYS, 'create', 'explorer', '--role', 'writer'], {
        env: productEnv({ DATABASE_URL: db.url }),
      })
    ).stdout.trim();
  });
  afterAll(async () => {
    await browser?.close();
    for (const api of apis) await api.stop();
    await db?.drop();
  });

  it.skipIf(!hasChromium)(
    'serves GraphiQL from its own assets and runs a query with the key typed in',
    async () => {
      const url = await startApi({ READS_REQUIRE_KEY: 'true' });
      await graphql(
        url,
        'mutation { createSystem(input: {name: "explorer-demo", policy: MM_EXIT}) { name } }',
        {},
        key,
      );
      browser = await launchBrowser();
      const page = await browser.newPage();
      const origin = new URL(url).origin;
      const elsewhere: string[] = [];
      // Offline: anything not served by the API itself is refused, and remembered.
      await page.route('**/*', (route) => {
        const target = route.request().url();
        if (target.startsWith(origin) || target.startsWith('data:')) return route.continue();
        elsewhere.push(target);
        return route.abort();
      });
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/text\/html/);
      await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });

      // Without a key the read is refused (READS_REQUIRE_KEY=true)...
      await page.locator('.graphiql-execute-button').click();
      await expect
        .poll(() => page.locator('.result-window').textContent(), { timeout: 15_000 })
        .toMatch(/UNAUTHENTICATED/);
      // ...with the key typed in the field it is answered.
      await page.fill('#api-key', key);
      await page.locator('.graphiql-execute-button').click();
      await expect
        .poll(() => page.locator('.result-window').textContent(), { timeout: 15_000 })
        .toMatch(/explorer-demo/);
      expect(elsewhere).toEqual([]);
    },
  );

  it('answers GraphQL clients on the same path, and refuses introspection when API_INTROSPECTION=false', async () => {
    const open = await startApi({});
    const asClient = await fetch(open, { headers: { accept: 'application/json' } });
    expect(asClient.headers.get('content-type')).not.toMatch(/text\/html/);
    const { data } = await graphql<{ __schema: { queryType: { name: string } } }>(
      open,
      '{ __schema { queryType { name } } }',
    );
    expect(data.__schema.queryType.name).toBe('Query');

    const closed = await startApi({ API_INTROSPECTION: 'false' });
    await expect(graphql(closed, '{ __schema { queryType { name } } }')).rejects.toThrow(/introspection/i);
    // Ordinary queries still work.
    const { data: systems } = await graphql<{ systems: unknown[] }>(closed, '{ systems { name } }');
    expect(Array.isArray(systems.systems)).toBe(true);
  });
});
