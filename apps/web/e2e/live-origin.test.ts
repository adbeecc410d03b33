import { createTestDatabase, postgresAvailable } from '@pasid/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from './support/browser';
import { createApiKey, type Server, startApi, startWeb } from './support/processes';

/**
 * The live view opened through an address other than the one the web server knows the API by
 * (here 127.0.0.2, as a browser on another machine uses the server's name): its WebSocket goes
 * to the page's own host name, not to the server's `localhost`, and the feed runs.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();
const PAGE_HOST = '127.0.0.2';

describe.runIf(enabled)('the live view through a non-localhost address', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Server;
  let web: Server;
  let browser: Browser;
  let apiKey: string;

  const gql = async (query: string) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  };

  beforeAll(async () => {
    database = await createTestDatabase('web');
    apiKey = await createApiKey(database.url, 'web-origin');
    // Both listen on every interface, as on a server; the web app knows the API as localhost.
    api = await startApi(database.url, '0.0.0.0');
    expect(new URL(api.url).hostname).toBe('localhost');
    web = await startWeb(api.url, { host: '0.0.0.0' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('subscribes at the page host name and follows the system', async () => {
    await gql('mutation { createSystem(input: {name: "origin-demo", policy: LAZY_REFCOUNT}) { name } }');
    const page = await browser.newPage();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    const webPort = new URL(web.url).port;
    await page.goto(`http://${PAGE_HOST}:${webPort}/systems/origin-demo/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await gql(
      'mutation { recordEvents(system: "origin-demo", events: [{type: ProcessCreated, pid: 7}]) { version } }',
    );
    await page.locator('[data-testid=live-version]', { hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) {
      expect(new URL(url).hostname).toBe(PAGE_HOST);
      expect(new URL(url).port).toBe(new URL(api.url).port);
    }
  });
});
