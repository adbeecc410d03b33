import { createTestDatabase, postgresAvailable, setLogHead, sql } from '@pasid/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, screenshotPath } from './support/browser';
import { createApiKey, type Server, startApi, startWeb } from './support/processes';

/**
 * A log past 2^53, where a JS number stops being exact (9007199254740993 reads as
 * 9007199254740992): the live feed, the audit table and an event's page show every position to
 * the last digit, in order, each once.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();
const HEAD = 2n ** 53n;
const at = (n: number) => (HEAD + BigInt(n)).toString();

describe.runIf(enabled)('positions past 2^53 in the web app', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Server;
  let web: Server;
  let browser: Browser;
  let apiKey: string;

  const record = async (pid: number) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query: `mutation { recordEvents(system: "far", events: [{type: ProcessCreated, pid: ${pid}}]) { events { position } } }`,
      }),
    });
    const body = (await res.json()) as { data?: { recordEvents: { events: { position: string }[] } } };
    return body.data?.recordEvents.events.map((e) => e.position);
  };

  beforeAll(async () => {
    database = await createTestDatabase('web');
    apiKey = await createApiKey(database.url, 'web-far');
    await setLogHead({ query: (text, params) => sql(database.url, text, params) }, HEAD);
    api = await startApi(database.url);
    web = await startWeb(api.url);
    browser = await launchBrowser();
    await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        query: 'mutation { createSystem(input: {name: "far", policy: MM_EXIT}) { name } }',
      }),
    });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('the live feed, the audit table and the event page show each position exactly', async () => {
    expect(await record(1)).toEqual([at(1)]);
    const page = await browser.newPage();
    await page.goto(`${web.url}/systems/far/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    // 2^53 + 2 is a float, 2^53 + 3 is not: as numbers the second would read as 2^53 + 4.
    expect(await record(2)).toEqual([at(2)]);
    expect(await record(3)).toEqual([at(3)]);
    await page.locator(`[data-testid=live-feed] li[data-position="${at(3)}"]`).waitFor({ timeout: 30_000 });
    const feed = await page
      .locator('[data-testid=live-feed] li')
      .evaluateAll((items) =>
        items.map((li) => [li.getAttribute('data-position'), li.textContent?.split(' ')[0]]),
      );
    // The subscription started after the page's state (position 2^53 + 1): the two later events, once each.
    expect(feed).toEqual([
      [at(2), `#${at(2)}`],
      [at(3), `#${at(3)}`],
    ]);
    await page.screenshot({ path: screenshotPath('live-past-2^53') });

    await page.goto(`${web.url}/audit`);
    await page.locator(`.audit-row[data-position="${at(3)}"]`).waitFor({ timeout: 30_000 });
    const rows = await page
      .locator('.audit-row')
      .evaluateAll((items) => items.map((row) => row.getAttribute('data-position')));
    expect(rows).toEqual([at(1), at(2), at(3)]);

    await page.goto(`${web.url}/systems/far/events/2`);
    await expect(page.getByText(`${at(2)} · 2 · 0`).count()).resolves.toBe(1);
    await page.close();
  });
});
