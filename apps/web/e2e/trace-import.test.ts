import { readFileSync } from 'node:fs';
import path from 'node:path';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { WEB_DIR } from './support/processes';
import { type Stack, startStack } from './support/stack';

/**
 * Issue 10, item 4: the web app imports a kernel trace, not just a history. The files are the
 * trace package's scenario captures; the page converts them on the server with @pasid/trace,
 * shows the conversion report, imports the history, and links to the replay. Headless Chromium
 * against the built web app, the real API and Postgres.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();
const SCENARIOS = path.resolve(WEB_DIR, '../../packages/trace/test/fixtures/scenarios');

interface HazardRow {
  code: string;
  event: number;
  pasid: number | null;
  observed: boolean | null;
  explained: boolean | null;
  reason: string | null;
}

describe.runIf(enabled)('importing a kernel trace in the browser', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack('webtrace');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const stateOf = async (system: string) =>
    (
      (await stack.gql(
        'query ($name: String!) { system(name: $name) { state { events hazards { code event pasid observed explained reason } } } }',
        { name: system },
      )) as { system: { state: { events: number; hazards: HazardRow[] } } | null }
    ).system?.state;

  const systemCount = async () =>
    ((await stack.gql('{ systems { name } }', {})) as { systems: unknown[] }).systems.length;

  it('perf script + dmesg chosen together: converted, merged by time, reported, imported; the replay has both DMAR faults', async () => {
    const { page } = stack;
    await page.goto(stack.web.url);
    await page.locator('input[name=system]').fill('dsa-node-7');
    await page.locator('select[name=policy]').selectOption('MM_EXIT');
    await page
      .locator('input[name=file]')
      .setInputFiles([
        path.join(SCENARIOS, 'dmar-faults.perf.txt'),
        path.join(SCENARIOS, 'dmar-faults.dmesg.txt'),
      ]);
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByTestId('trace-report');
    await page.getByTestId('trace-imported').waitFor();
    const sources = report.getByTestId('trace-source');
    expect(await sources.evaluateAll((els) => els.map((e) => e.getAttribute('data-format')))).toEqual([
      'perf-script',
      'kernel-log',
    ]);
    expect(await sources.getByTestId('trace-counts').allTextContents()).toEqual([
      '30 lines read, 13 used, 17 ignored, 0 skipped',
      '12 lines read, 2 used, 10 ignored, 0 skipped',
    ]);
    expect(await report.textContent()).toContain('ignored 1: DMAR fault without a PASID');
    // bash (2000) started before the capture: its children are processes without a parent, and
    // the report says so
    expect(await report.getByTestId('trace-adjusted').textContent()).toBe(
      'used with a change 2: ProcessCreated taken without its parent (the model never saw the parent start)',
    );
    expect(await page.getByTestId('trace-imported').textContent()).toContain(
      'Imported 13 events as dsa-node-7',
    );
    await page.screenshot({ path: screenshotPath('trace-import-report') });

    const state = await stateOf('dsa-node-7');
    expect(state?.events).toBe(13);
    expect(state?.hazards).toEqual([
      { code: 'DMAR_FAULT', event: 6, pasid: 1, observed: true, explained: true, reason: null },
      { code: 'DMAR_FAULT', event: 12, pasid: 1, observed: true, explained: false, reason: null },
    ]);

    await page.getByRole('link', { name: 'Open the replay →' }).click();
    await page.waitForURL(/\/systems\/dsa-node-7/);
    await expect(page.getByTestId('position').textContent()).resolves.toMatch(/^13 \/ 13$/);
  });

  it('a trace dropped on the form: SIGSEGV after exec and in the forked child', async () => {
    const { page } = stack;
    await page.goto(stack.web.url);
    await page.locator('input[name=system]').fill('exec-node');
    const text = readFileSync(path.join(SCENARIOS, 'exec-sigsegv.bt.txt'), 'utf8');
    // A drop as the browser delivers it: a DataTransfer holding the file, dropped on the form.
    const dataTransfer = await page.evaluateHandle((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], 'pasid.txt', { type: 'text/plain' }));
      return transfer;
    }, text);
    const form = page.getByTestId('import-form');
    await form.dispatchEvent('dragover', { dataTransfer });
    await form.dispatchEvent('drop', { dataTransfer });
    expect(await page.locator('input[name=file]').evaluate((i: HTMLInputElement) => i.files?.[0]?.name)).toBe(
      'pasid.txt',
    );
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('trace-imported').waitFor();
    expect(await page.getByTestId('trace-source').getAttribute('data-format')).toBe('bpftrace');
    const state = await stateOf('exec-node');
    expect(state?.hazards.map((h) => [h.code, h.reason, h.event])).toEqual([
      ['SIGSEGV', 'ALREADY_ACTIVATED', 8],
      ['SIGSEGV', 'NO_PASID', 9],
    ]);
  });

  it('neither a history nor a trace: the error names the file and the line, and nothing is stored', async () => {
    const { page } = stack;
    const before = await systemCount();
    await page.goto(stack.web.url);
    await page.locator('input[name=system]').fill('not-a-trace');
    await page.locator('input[name=file]').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('\n# my notes\nThe DSA run of Tuesday\nwent fine\n'),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    const error = page.getByTestId('import-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'notes.txt, line 3: neither a history (one JSON object a line) nor a kernel trace the importer reads (perf script, trace-cmd report, tracefs trace, pasid.bt, dmesg or journalctl -k)',
    );
    await page.screenshot({ path: screenshotPath('trace-import-neither') });

    // A binary capture says what to run first.
    await page.locator('input[name=file]').setInputFiles({
      name: 'perf.data',
      mimeType: 'application/octet-stream',
      buffer: Buffer.concat([Buffer.from('PERFILE2', 'latin1'), Buffer.alloc(256)]),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await expect
      .poll(async () => await error.textContent())
      .toContain('perf.data: not a text trace: a perf.data file: run `perf script -i FILE`');
    expect(await systemCount()).toBe(before);
  });

  it('a pasted history still opens its replay; a pasted trace is imported without the line the readers skip, which the report names', async () => {
    const { page } = stack;
    // A history pasted, as before: opens its replay.
    await page.goto(stack.web.url);
    await page.locator('input[name=system]').fill('pasted-history');
    await page
      .locator('textarea[name=history]')
      .fill('{"type": "ProcessCreated", "pid": 1}\n{"type": "ThreadCreated", "tid": 2, "pid": 1}');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.waitForURL(/\/systems\/pasted-history/);
    // A trace pasted, with a line the readers skip: reported with its line, the rest imported.
    await page.goto(stack.web.url);
    await page.locator('input[name=system]').fill('pasted-trace');
    await page
      .locator('textarea[name=history]')
      .fill(
        [
          '            bash-2000    (   2000) [000] .....   700.000000: task_newtask: pid=3000 comm=bash clone_flags=1200011 oom_score_adj=0',
          '            bash-2000    (   2000) [000] .....   700.000050: sched_switch: prev_comm=bash prev_pid=2000',
          '         dsa-app-3000    (   3000) [001] .....   700.000100: sched_process_exec: filename=./dsa-app pid=3000 old_pid=3000',
        ].join('\n'),
      );
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('trace-imported').waitFor();
    expect(await page.getByTestId('trace-counts').textContent()).toBe(
      '3 lines read, 2 used, 0 ignored, 1 skipped',
    );
    expect(await page.getByTestId('trace-examples').textContent()).toContain(
      'the pasted lines line 2: unknown event "sched_switch"',
    );
    expect((await stateOf('pasted-trace'))?.events).toBe(2);
  });
});
