import { HAZARD_DESCRIPTIONS, SIGSEGV_REASON_DESCRIPTIONS } from '@pasid/domain';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { type Stack, startStack } from './support/stack';

/**
 * Model version 2 drawn (issues 9 and 14) in headless Chromium against the real API and Postgres:
 * the spec's second example (an inherited file keeps PASID 1 alive after process 300 exited) and
 * third (exec after ENQCMD: the seed's UNBALANCED_PUT and the use-after-free that follows), each
 * hazard with the domain's sentence on what the kernel did.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

const DSA0 = '0000:6a:01.0';

describe.runIf(enabled)('model version 2 in the replay', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack('webv2');
    base = stack.web.url;
    await stack.importSample('inherited-file.jsonl', 'inherited-file');
    await stack.importSample('exec-after-enqcmd.jsonl', 'exec-after-enqcmd');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** The replay at step `at`, once hydrated and showing that step's state. */
  const stateAt = async (system: string, at: number) => {
    const { page } = stack;
    await page.goto(`${base}/systems/${system}?at=${at}`);
    const state = page.locator(`.replay[data-ready=true] [data-testid=state][data-version="${at}"]`);
    await state.waitFor();
    return state;
  };

  it("draws process 301's fd table: fd 3 inherited from process 300, whose bond it holds", async () => {
    const state = await stateAt('inherited-file', 4);
    const fd3 = state.locator('[data-pid="301"] [data-testid=fd-table] tr[data-fd="3"]');
    await fd3.waitFor();
    expect(await fd3.getAttribute('data-holder')).toBe('300');
    expect(await fd3.locator('.device').textContent()).toBe(DSA0);
    expect(await fd3.getByTestId('fd-cloexec').textContent()).toBe('no');
    expect(await fd3.getByTestId('fd-origin').textContent()).toBe('inherited: bond to pid 300’s mm');
    // The parent's own fd 3 is the same open file, opened there.
    const parentFd = state.locator('[data-pid="300"] [data-testid=fd-table] tr[data-fd="3"]');
    expect(await parentFd.getByTestId('fd-origin').textContent()).toBe('opened here');
    expect(await parentFd.locator('[data-testid=fd-pasid]').textContent()).toBe('1');
  });

  it('keeps PASID 1 alive, released, after process 300 has exited: the inherited file holds it', async () => {
    const state = await stateAt('inherited-file', 6);
    // Process 300 is gone (it exited at step 5); 301 still has fd 3.
    expect(await state.locator('[data-testid=processes] [data-pid="300"]').count()).toBe(0);
    expect(
      await state
        .locator('[data-pid="301"] [data-testid=fd-table] tr[data-fd="3"]')
        .getAttribute('data-holder'),
    ).toBe('300');
    const one = state.locator('[data-testid=pasid-table] tr[data-pasid="1"]');
    expect(await one.getAttribute('data-released')).toBe('true');
    expect(await one.getByTestId('released').textContent()).toBe('released');
    expect(await one.getByTestId('count-parts').textContent()).toBe('held by 1 open file: fd 3 of pid 301');
    // No entry left for it (torn down at the mm's release), and 301's own bind got PASID 2.
    expect(await one.locator('.device').count()).toBe(0);
    const two = state.locator('[data-testid=pasid-table] tr[data-pasid="2"]');
    expect(await two.getAttribute('data-released')).toBe('false');
    expect(await state.getByTestId('freed').textContent()).toContain('none');
    await stack.page.screenshot({ path: screenshotPath('v2-inherited-file-6'), fullPage: true });

    // The last reference closed in 301: the bond to 300's mm goes, and PASID 1 with it.
    const after = await stateAt('inherited-file', 7);
    expect(await after.locator('[data-freed="1"]').textContent()).toBe(
      '1 held by pid 300 · freed at event 7',
    );
    expect(
      await after.locator('[data-pid="301"] [data-testid=fd-table] tr[data-fd="3"]').getAttribute('class'),
    ).toContain('change-removed');
  });

  it("shows the seed's UNBALANCED_PUT at step 9 with what the kernel did", async () => {
    const state = await stateAt('exec-after-enqcmd', 9);
    const put = state.locator('[data-testid=hazards] li[data-hazard="UNBALANCED_PUT"][data-event="9"]');
    await put.waitFor();
    expect(await put.getAttribute('class')).toContain('change-added');
    expect(await put.getByTestId('hazard-description').textContent()).toBe(
      HAZARD_DESCRIPTIONS.UNBALANCED_PUT,
    );
    expect(await put.textContent()).toContain('tid 400');
    await stack.page.screenshot({ path: screenshotPath('v2-exec-after-enqcmd-9'), fullPage: true });
  });

  it('explains the SIGSEGV after exec: task 400 is still activated, its MSR invalid', async () => {
    const state = await stateAt('exec-after-enqcmd', 6);
    const segv = state.locator('[data-testid=hazards] li[data-hazard="SIGSEGV"][data-event="6"]');
    expect(await segv.getByTestId('hazard-reason').textContent()).toBe('ALREADY_ACTIVATED');
    const sentence = await segv.getByTestId('hazard-description').textContent();
    expect(sentence).toContain(HAZARD_DESCRIPTIONS.SIGSEGV);
    expect(sentence).toContain(SIGSEGV_REASON_DESCRIPTIONS.ALREADY_ACTIVATED);
    const task = state.locator('[data-pid="400"] tr[data-tid="400"]');
    expect(await task.getAttribute('data-activated')).toBe('true');
    expect(await task.getByTestId('msr').textContent()).toContain('invalid');
  });

  it('shows the use-after-free at step 10: PASID_FREED_WHILE_BOUND, then REFCOUNT_UNDERFLOW', async () => {
    const state = await stateAt('exec-after-enqcmd', 10);
    const codes = await state
      .locator('[data-testid=hazards] li[data-event="10"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-hazard')));
    expect(codes).toEqual(['PASID_FREED_WHILE_BOUND', 'REFCOUNT_UNDERFLOW']);
    for (const code of ['PASID_FREED_WHILE_BOUND', 'REFCOUNT_UNDERFLOW'] as const) {
      expect(
        await state
          .locator(`[data-testid=hazards] li[data-hazard="${code}"] [data-testid=hazard-description]`)
          .textContent(),
      ).toBe(HAZARD_DESCRIPTIONS[code]);
    }
  });

  it('draws a lane per open file with its fd slots, and filters the lanes by fd', async () => {
    const { page } = stack;
    const lane = (key: string) => page.locator(`[data-lane="${key}"]`);
    const bars = (key: string) =>
      lane(key)
        .locator('.lane-bar')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to'), e.textContent]),
        );
    await page.goto(`${base}/systems/inherited-file/lanes`);
    // The file 300 opened at step 2 lives until 301 closes its inherited copy at 7, and PASID 1 with it.
    await lane('file:2').waitFor();
    expect(await bars('file:2')).toEqual([['2', '7', `${DSA0} · PASID 1`]]);
    expect(await bars('fd:2:300:3:2')).toEqual([['2', '5', 'opened']]);
    expect(await bars('fd:2:301:3:4')).toEqual([['4', '7', 'inherited from 300']]);
    expect(await bars('pasid:1')).toEqual([['2', '7', 'pid 300']]);
    await page.getByTestId('filter-fd').fill('3');
    await page.getByTestId('filter-pid').fill('301');
    await page.waitForURL(/[?&]fd=3\b.*pid=301|pid=301\b.*fd=3\b/);
    const keys = () =>
      page.locator('[data-lane]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    expect(await keys()).toEqual(['process:301:4', 'task:301:4', 'file:2', 'fd:2:301:3:4']);
    await page.screenshot({ path: screenshotPath('v2-lanes-fd-3-pid-301') });
    // The filter is in the URL: a link shows the same lanes.
    await page.goto(page.url());
    await lane('fd:2:301:3:4').waitFor();
    expect(await keys()).toEqual(['process:301:4', 'task:301:4', 'file:2', 'fd:2:301:3:4']);
  });
});
