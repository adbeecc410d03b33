import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type InputEvent,
} from '@pasid/domain';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { type Stack, startStack } from './support/stack';

/**
 * Issue 11, item 4: the web app's import of a history larger than the API's old 5 MB limit (the
 * 413 users got). The browser uploads the file itself, with its progress shown, and the web server
 * streams it on to the API's /systems/{name}/history. Headless Chromium against the built web
 * app, the real API and Postgres.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();
const EVENTS = 110_000;

describe.runIf(enabled)('uploading a large history in the browser', () => {
  let stack: Stack;
  const dir = mkdtempSync(path.join(tmpdir(), 'pasid-upload-'));

  beforeAll(async () => {
    stack = await startStack('webupload');
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const eventsOf = async (system: string) =>
    (
      (await stack.gql('query ($name: String!) { system(name: $name) { version } }', { name: system })) as {
        system: { version: number } | null;
      }
    ).system?.version ?? null;

  it('imports a history over 5 MB with its upload progress, then opens its replay', async () => {
    const inputs: InputEvent[] = [];
    for (const e of generateHistory({ policy: 'LAZY_REFCOUNT', maxPasid: DEFAULT_MAX_PASID, seed: 31 })) {
      inputs.push(e);
      if (inputs.length === EVENTS) break;
    }
    const text = `${[formatHistoryHeader({ system: 'big-upload', policy: 'LAZY_REFCOUNT' }), ...inputs.map(formatHistoryEvent)].join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(5 * 1024 * 1024);
    const file = path.join(dir, 'big-upload.jsonl');
    writeFileSync(file, text);

    const { page } = stack;
    await page.goto(stack.web.url);
    await page.locator('input[name=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    const progress = page.getByTestId('import-progress');
    await progress.waitFor();
    expect(await progress.locator('progress').getAttribute('max')).toBe(String(Buffer.byteLength(text)));
    expect(await progress.textContent()).toMatch(/Upload(ing|ed) [\d.]+ (KB|MB)/);
    await page.screenshot({ path: screenshotPath('history-upload-progress') });
    await page.waitForURL(/\/systems\/big-upload$/, { timeout: 180_000 });
    expect(await eventsOf('big-upload')).toBe(EVENTS);
  }, 240_000);

  it('refuses a bad line by its number and stores nothing', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      '{"system":"bad-upload"}\n{"type":"ProcessCreated","pid":1}\n{"type":"FileClosed","pid":1}\n',
    );
    const { page } = stack;
    await page.goto(stack.web.url);
    await page.locator('input[name=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Import' }).click();
    const error = page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/line 3: .*fd/);
    const { systems } = (await stack.gql('{ systems { name } }', {})) as { systems: { name: string }[] };
    expect(systems.map((s) => s.name)).not.toContain('bad-upload');
  });
});
