import { readFileSync } from 'node:fs';
import { createTestDatabase, postgresAvailable } from '@pasid/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_PATH } from '../test/helpers';
import { chromiumAvailable, launchBrowser, screenshotPath } from './support/browser';
import { createApiKey, type Server, startApi, startWeb } from './support/processes';
import { signIn } from './support/session';

/**
 * The web app in headless Chromium against the real API over a fresh Postgres database: the
 * servers are the built ones (`node apps/api/dist/main.js`, Next's standalone server), nothing is
 * mocked. The page is signed in with a writer key of its own.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

describe.runIf(enabled)('web app in a browser', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Server;
  let web: Server;
  let browser: Browser;
  let page: Page;
  let apiKey: string;

  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data;
  };

  beforeAll(async () => {
    database = await createTestDatabase('web');
    apiKey = await createApiKey(database.url, 'web-e2e');
    api = await startApi(database.url);
    web = await startWeb(api.url);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, web.url, apiKey);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('shows the empty systems list, then imports the worked example by pasting it', async () => {
    await page.goto(web.url);
    await page.getByTestId('systems-empty').waitFor();
    await page.locator('textarea[name=history]').fill(readFileSync(WORKED_EXAMPLE_PATH, 'utf8'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/systems\/worked-example/);
    await expect(page.getByTestId('system-name').textContent()).resolves.toBe('worked-example');
    await expect(page.getByTestId('position').textContent()).resolves.toMatch(/^14 \/ 14$/);
  });

  it('names the line of a rejected history and stores nothing of it', async () => {
    await page.goto(web.url);
    const bad = [
      '{"type": "ProcessCreated", "pid": 1}',
      '{"type": "DeviceBound", "pid": 1, "device": "nope"}',
    ].join('\n');
    await page.locator('input[name=system]').fill('bad-one');
    await page.locator('textarea[name=history]').fill(bad);
    await page.getByRole('button', { name: 'Import' }).click();
    const error = page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/line 2/i);
    // The form keeps what was pasted, to fix the named line.
    expect(await page.locator('textarea[name=history]').inputValue()).toContain('"nope"');
    await page.screenshot({ path: screenshotPath('import-error') });
    await page.goto(web.url);
    await expect(page.locator('[data-system]').count()).resolves.toBe(1);
    await page.screenshot({ path: screenshotPath('systems') });
  });

  it('steps to event 12 and shows the DMAR_FAULT with PASID 1 at count 1', async () => {
    await page.goto(`${web.url}/systems/worked-example?at=11`);
    await page.locator('.replay[data-ready=true] [data-testid=state][data-version="11"]').waitFor();
    await page.keyboard.press('ArrowRight');
    const state = page.locator('[data-testid=state][data-version="12"]');
    await state.waitFor();
    await expect(page.getByTestId('state-heading').textContent()).resolves.toBe('State after event 12');
    const pasid1 = state.locator('[data-testid=pasid-table] tr[data-pasid="1"]');
    expect(await pasid1.locator('[data-testid=refcount]').textContent()).toBe('1');
    expect(await pasid1.textContent()).toContain('pid 100');
    // The highlights come with the state one step before.
    await page.getByTestId('state-heading').locator('xpath=..').getByText('at this step').waitFor();
    const fault = state.locator('[data-hazard=DMAR_FAULT][data-event="12"]');
    expect(await fault.getAttribute('class')).toContain('change-added');
    await page.waitForURL(/[?&]at=12\b/);
    await page.screenshot({ path: screenshotPath('replay'), fullPage: false });
    // A link to the step shows the same step.
    await page.goto(page.url());
    await page.locator('.replay[data-ready=true] [data-testid=state][data-version="12"]').waitFor();
    // Home goes back to the empty start; End to the last event.
    await page.keyboard.press('Home');
    await page.locator('[data-testid=state][data-version="0"]').waitFor();
    await page.keyboard.press('End');
    await page.locator('[data-testid=state][data-version="14"]').waitFor();
    expect(await page.locator('[data-testid=freed]').textContent()).toContain('1');
    // Laptop and wide screens: the state panels stay on screen beside the timeline.
    for (const [name, width, height] of [
      ['replay-laptop', 1280, 800],
      ['replay-wide', 2560, 1440],
    ] as const) {
      await page.setViewportSize({ width, height });
      const panel = await page.getByTestId('pasid-table').boundingBox();
      expect(panel && panel.x + panel.width).toBeLessThanOrEqual(width);
      await page.screenshot({ path: screenshotPath(name) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('draws the counts over the history and jumps to the replay from a point', async () => {
    await page.goto(`${web.url}/systems/worked-example/charts`);
    await page.getByTestId('chart-refcount').locator('.recharts-line').first().waitFor();
    expect(await page.getByTestId('chart-refcount').locator('.recharts-line').count()).toBe(2);
    await page.screenshot({ path: screenshotPath('charts') });
    const box = await page.getByTestId('chart-allocated').boundingBox();
    if (!box) throw new Error('no chart box');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.locator('.recharts-tooltip-wrapper', { hasText: 'after event' }).first().waitFor();
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await page.waitForURL(/\/systems\/worked-example\?at=\d+/);
  });

  it('compares LAZY_REFCOUNT with EAGER_UNBIND and marks where they part', async () => {
    await page.goto(`${web.url}/systems/worked-example/compare?left=LAZY_REFCOUNT&right=EAGER_UNBIND`);
    const divergence = page.getByTestId('divergence');
    expect(await divergence.textContent()).toContain('LAZY_REFCOUNT and EAGER_UNBIND diverge at input 11');
    expect(await divergence.textContent()).toContain(
      'EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1 (LAZY_REFCOUNT keeps it for pid 100)',
    );
    await page.screenshot({ path: screenshotPath('compare') });
    await page.goto(`${web.url}/systems/worked-example/compare?left=LAZY_REFCOUNT&right=EAGER_UNBIND&at=13`);
    const right = page.getByTestId('compare-right');
    expect(await right.locator('tr[data-pasid="1"]').textContent()).toContain('pid 200');
    expect(await right.locator('tr[data-tid="100"]').textContent()).toContain('stale');
    const left = page.getByTestId('compare-left');
    expect(await left.locator('tr[data-pasid="1"]').textContent()).toContain('pid 100');
  });

  it('follows a live system while events are recorded', async () => {
    await gql('mutation ($input: CreateSystemInput!) { createSystem(input: $input) { name } }', {
      input: { name: 'live-node', policy: 'LAZY_REFCOUNT' },
    });
    await page.goto(`${web.url}/systems/live-node/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor();
    const record = (events: Record<string, unknown>[]) =>
      gql(
        'mutation ($system: String!, $events: [LifecycleEventInput!]!) { recordEvents(system: $system, events: $events) { version } }',
        {
          system: 'live-node',
          events,
        },
      );
    await record([{ type: 'ProcessCreated', pid: 7 }]);
    await page.locator('[data-testid=live-version]', { hasText: /^1$/ }).waitFor();
    await record([
      { type: 'DeviceBound', pid: 7, device: '0000:6a:01.0' },
      { type: 'TaskExited', tid: 7 },
      { type: 'ProcessCreated', pid: 8 },
      { type: 'Enqcmd', tid: 8, device: '0000:6a:01.0' },
    ]);
    await page.locator('[data-testid=live-version]', { hasText: /^5$/ }).waitFor();
    const feed = await page.getByTestId('live-feed').textContent();
    expect(feed).toContain('PASID 1 allocated to 7');
    expect(feed).toContain('PASID 1 freed');
    expect(feed).toContain('hazard SIGSEGV');
    await page.screenshot({ path: screenshotPath('live') });
  });

  it('lists the log with its metadata, filters it, and runs the integrity check', async () => {
    await page.goto(`${web.url}/audit?system=worked-example`);
    await page.getByTestId('audit-table').waitFor();
    const rows = page.locator('.audit-row');
    expect(await rows.first().textContent()).toContain('ProcessCreated');
    await page.goto(`${web.url}/audit?system=worked-example&type=HazardDetected`);
    await page.getByTestId('audit-table').waitFor();
    const hazardRows = await page.locator('.audit-row').allTextContents();
    expect(hazardRows).toHaveLength(2);
    expect(hazardRows.join('\n')).toMatch(/SIGSEGV[\s\S]*DMAR_FAULT/);
    await page.getByRole('button', { name: 'Verify the log' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Intact: \d+ events checked/);
    await page.screenshot({ path: screenshotPath('audit') });
  });

  it('exports the history that was imported', async () => {
    const res = await fetch(`${web.url}/systems/worked-example/export`);
    expect(res.headers.get('content-disposition')).toContain('worked-example.jsonl');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const original = readFileSync(WORKED_EXAMPLE_PATH, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(1)).toEqual(original.slice(1));
  });
});
