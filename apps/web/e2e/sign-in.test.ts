import { readFileSync } from 'node:fs';
import { createTestDatabase, postgresAvailable } from '@pasid/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_PATH } from '../test/helpers';
import { chromiumAvailable, launchBrowser, screenshotPath } from './support/browser';
import { createApiKey, revokeApiKey, type Server, startApi, startWeb } from './support/processes';
import { signIn } from './support/session';

/**
 * Issue 11 item 9: people sign in with their own API keys; their writes carry their names into
 * the log, and reads and the live view's subscription carry their keys. Headless Chromium against
 * the real API on Postgres, reads needing a key (READS_REQUIRE_KEY=true), the web app as the
 * image runs it.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

const WORKED_EXAMPLE = readFileSync(WORKED_EXAMPLE_PATH, 'utf8');

async function importPasted(page: Page, webUrl: string, system: string): Promise<void> {
  await page.goto(webUrl);
  // The worked example under another name: its header names the system.
  const history = WORKED_EXAMPLE.replace('"system": "worked-example"', `"system": "${system}"`);
  await page.locator('textarea[name=history]').fill(history);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.waitForURL(new RegExp(`/systems/${system}`));
}

/** Each actor named in the audit rows of `system`, with how many rows name it. */
async function auditActors(page: Page, webUrl: string, system: string): Promise<Record<string, number>> {
  await page.goto(`${webUrl}/audit?system=${system}`);
  await page.getByTestId('audit-table').waitFor();
  const actors = await page
    .locator('.audit-row span[title]')
    .evaluateAll((spans) =>
      spans.map((s) => s.getAttribute('title')).filter((t) => t === 'ada' || t === 'grace' || t === 'web'),
    );
  const counts: Record<string, number> = {};
  for (const a of actors) if (a) counts[a] = (counts[a] ?? 0) + 1;
  return counts;
}

describe.runIf(enabled)('signing in to the web app, reads needing a key', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Server;
  let web: Server;
  let browser: Browser;
  const keys = { ada: '', grace: '', rita: '', leaver: '' };
  const contexts: BrowserContext[] = [];
  const person = async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    return { context, page: await context.newPage() };
  };
  const record = async (key: string, system: string, pid: number) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: `mutation { recordEvents(system: "${system}", events: [{type: ProcessCreated, pid: ${pid}}]) { version } }`,
      }),
    });
    const body = (await res.json()) as { errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors[0]!.message);
  };

  beforeAll(async () => {
    database = await createTestDatabase('websignin');
    keys.ada = await createApiKey(database.url, 'ada');
    keys.grace = await createApiKey(database.url, 'grace');
    keys.rita = await createApiKey(database.url, 'rita', 'reader');
    keys.leaver = await createApiKey(database.url, 'leaver', 'reader');
    // Open sockets' keys are checked again every 300 ms: a revoked one closes soon.
    api = await startApi(database.url, '127.0.0.1', { READS_REQUIRE_KEY: 'true', API_KEY_RECHECK_MS: '300' });
    web = await startWeb(api.url);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await web?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('sends a signed-out visitor to sign in, and refuses a wrong key keeping nothing', async () => {
    const { context, page } = await person();
    await page.goto(web.url);
    await page.waitForURL(/\/sign-in\?reason=key-needed/);
    expect(await page.getByTestId('sign-in-reason').textContent()).toContain('needs a key to read');
    await page.getByTestId('sign-in-key').fill('not-a-key-of-this-ledger-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('sign-in-error').waitFor();
    expect(await page.getByTestId('sign-in-error').textContent()).toContain(
      'the API refused the key: the API key is unknown or has been revoked',
    );
    expect(await context.cookies()).toEqual([]);
  });

  it('keeps the key in an httpOnly, SameSite=Strict cookie that page scripts cannot read', async () => {
    const { context, page } = await person();
    await signIn(page, web.url, keys.ada);
    expect(await page.getByTestId('viewer-name').textContent()).toBe('ada');
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({
      name: 'pasid_api_key',
      value: keys.ada,
      httpOnly: true,
      sameSite: 'Strict',
      // Served over http here: Secure would keep the browser from sending it at all.
      secure: false,
      path: '/',
    });
    expect(await page.evaluate(() => document.cookie)).not.toContain(keys.ada);
    await page.screenshot({ path: screenshotPath('signed-in') });
  });

  it("records each person's imports under their own name in the audit log", async () => {
    const ada = await person();
    const grace = await person();
    await signIn(ada.page, web.url, keys.ada);
    await signIn(grace.page, web.url, keys.grace);
    await importPasted(ada.page, web.url, 'ada-example');
    await importPasted(grace.page, web.url, 'grace-example');
    // Every event of an import (14 inputs and what they derived) is the importer's.
    const adaRows = await auditActors(grace.page, web.url, 'ada-example');
    const graceRows = await auditActors(ada.page, web.url, 'grace-example');
    expect(Object.keys(adaRows)).toEqual(['ada']);
    expect(Object.keys(graceRows)).toEqual(['grace']);
    expect(adaRows.ada).toBeGreaterThanOrEqual(14);
    expect(graceRows.grace).toBe(adaRows.ada);
    await ada.page.screenshot({ path: screenshotPath('audit-by-person') });
  });

  it('tells a reader that their key cannot write, instead of the import form', async () => {
    const { page } = await person();
    await signIn(page, web.url, keys.rita);
    await page.goto(web.url);
    const notice = page.getByTestId('sign-in-to-write');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('rita is a reader key');
    expect(await page.getByTestId('import-form').count()).toBe(0);
  });

  it("follows a system live with the signed-in person's key on the WebSocket", async () => {
    const { page } = await person();
    await signIn(page, web.url, keys.rita);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${web.url}/systems/ada-example/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    await record(keys.ada, 'ada-example', 900);
    await page.locator('[data-testid=live-version]', { hasText: /^15$/ }).waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('live-received').textContent())).toBeGreaterThan(0);
    // Straight to the API (its port on the page's host): the browser sent the cookie there.
    expect(sockets.map((u) => new URL(u).port)).toContain(new URL(api.url).port);
  });

  it('says so when the live view is refused: signed out, or a key revoked while watching', async () => {
    const signedOut = await person();
    await signedOut.page.goto(`${web.url}/systems/ada-example/live`);
    await signedOut.page.waitForURL(/\/sign-in\?reason=key-needed/);

    const { page } = await person();
    await signIn(page, web.url, keys.leaver);
    await page.goto(`${web.url}/systems/ada-example/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor({ timeout: 30_000 });
    // The operator revokes the key with the API's own command while the page follows.
    await revokeApiKey(database.url, 'leaver');
    await page.locator('[data-testid=live-status]', { hasText: 'refused' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('live-error').textContent()).toContain('The API refused your key');
    await page.screenshot({ path: screenshotPath('live-refused') });
  });

  it('signs out: the cookie is gone and reads need signing in again', async () => {
    const { context, page } = await person();
    await signIn(page, web.url, keys.grace);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect(await context.cookies()).toEqual([]);
    await page.getByTestId('viewer').filter({ hasText: 'Sign in' }).waitFor();
  });
});

describe.runIf(enabled)('signing in to the web app, reads open', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Server;
  let web: Server;
  let browser: Browser;

  beforeAll(async () => {
    database = await createTestDatabase('websignin');
    api = await startApi(database.url);
    web = await startWeb(api.url);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('shows a signed-out visitor the systems and "sign in to write" instead of the import form', async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    const notice = page.getByTestId('sign-in-to-write');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Sign in to write');
    expect(await page.getByTestId('import-form').count()).toBe(0);
    await notice.getByRole('link').click();
    await page.waitForURL(/\/sign-in\?next=%2F/);
    await page.screenshot({ path: screenshotPath('sign-in') });
  });
});
