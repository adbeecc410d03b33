import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { type Stack, startStack } from './support/stack';

/**
 * Issue 14's "compare that explains", in headless Chromium against the real API and Postgres: the
 * input where two policies diverge (the API's `divergence`, over the whole history) named and
 * shown with the domain's sentence on why it matters, each side marked against the other, and the
 * replay's scrubber and keys.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

/** Processes created and exited before the worked example: every policy agrees on them. */
const FILLER_PROCESSES = 1100;

describe.runIf(enabled)('comparing two policies', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack('webcompare');
    base = stack.web.url;
    await stack.importSample('worked-example.jsonl', 'worked-example');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const compare = (system: string, query: string) =>
    `${base}/systems/${system}/compare?left=LAZY_REFCOUNT&right=EAGER_UNBIND${query}`;

  /** The compare view, hydrated, with both sides' states of step `at` on screen. */
  const shownAt = async (at: number) => {
    const { page } = stack;
    await page
      .locator(`[data-testid=compare][data-ready=true] [data-testid=step-explanation][data-version="${at}"]`)
      .waitFor();
    await page.locator(`[data-testid=compare-left] [data-testid=state][data-version="${at}"]`).waitFor();
    await page.locator(`[data-testid=compare-right] [data-testid=state][data-version="${at}"]`).waitFor();
  };

  it('names input 11 of the worked example, its type and fields, and says why it matters', async () => {
    const { page } = stack;
    await page.goto(compare('worked-example', ''));
    // Without ?at= the view opens where the policies part.
    await shownAt(11);
    const divergence = page.getByTestId('divergence');
    expect(await divergence.getAttribute('data-version')).toBe('11');
    expect(await page.getByTestId('divergence-title').textContent()).toBe(
      'LAZY_REFCOUNT and EAGER_UNBIND diverge at input 11',
    );
    const input = page.getByTestId('divergence-input');
    expect(await input.getAttribute('data-type')).toBe('DeviceUnbound');
    expect(await input.locator('[data-field=pid]').textContent()).toBe('pid 100');
    expect(await input.locator('[data-field=device]').textContent()).toBe('device 0000:6a:02.0');
    expect(await page.getByTestId('divergence-explanation').textContent()).toBe(
      'After pid 100 unbinds 0000:6a:02.0, EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1 ' +
        '(LAZY_REFCOUNT keeps it for pid 100); the next bind gets PASID 1: if it is another ' +
        "process's, tid 100's next ENQCMD runs in that process's memory.",
    );
    // The step shown is the divergence: its input named, its sentence.
    await page.getByTestId('step-input').filter({ hasText: 'DeviceUnbound' }).waitFor();
    expect(await page.getByTestId('step-sentence').textContent()).toBe(
      'This is the input where they diverge: why it matters is said above.',
    );
    // One step on, the sentence is that step's own (the MSR still holds the freed value).
    await page.keyboard.press('ArrowRight');
    await shownAt(12);
    expect(await page.getByTestId('step-sentence').textContent()).toContain(
      'EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1',
    );
    await page.keyboard.press('ArrowLeft');
    await shownAt(11);
    expect(await page.getByTestId('divergence-mark').getAttribute('data-version')).toBe('11');
    await page.screenshot({ path: screenshotPath('compare-11'), fullPage: true });
  });

  it('marks each side against the other, not against the step before', async () => {
    const { page } = stack;
    await page.goto(compare('worked-example', '&at=11'));
    await shownAt(11);
    const left = page.getByTestId('compare-left');
    const right = page.getByTestId('compare-right');
    const pasid1 = left.locator('[data-testid=pasid-table] tr[data-pasid="1"]');
    expect(await pasid1.getAttribute('class')).toContain('change-added');
    expect(await pasid1.getAttribute('title')).toBe('only under this policy, not under EAGER_UNBIND');
    // EAGER_UNBIND has no PASID 1 row at all (not a struck "gone" one), and freed it.
    expect(await right.locator('[data-testid=pasid-table] tr').count()).toBe(0);
    expect(await right.locator('[data-freed="1"]').getAttribute('class')).toContain('change-added');
    // The step itself removed entry (0000:6a:02.0, 1) on both sides: no mark for that here.
    expect(await left.locator('[data-testid=entries] tr.change-removed').count()).toBe(0);
    // tid 100's MSR is 1 on both sides: the same, so unmarked; stale on the right.
    const tid100 = (side: typeof left) => side.locator('tr[data-tid="100"]');
    expect(await tid100(left).getAttribute('class')).toBeNull();
    expect(await tid100(right).textContent()).toContain('stale');
    // The hazards so far (SIGSEGV at 8) are the same under both.
    expect(await left.locator('li[data-hazard].change-added').count()).toBe(0);
  });

  it('moves with the replay keys and scrubber: at 13 PASID 1 belongs to pid 200 under EAGER_UNBIND', {
    timeout: 90_000,
  }, async () => {
    const { page } = stack;
    await page.goto(compare('worked-example', '&at=11'));
    await shownAt(11);
    await page.keyboard.press('ArrowRight');
    await shownAt(12);
    // A position rested on (200 ms) is a history entry: Back returns to it below.
    await page.waitForURL(/[?&]at=12\b/);
    await page.keyboard.press('ArrowRight');
    await shownAt(13);
    await page.waitForURL(/[?&]at=13\b/);
    expect(await page.getByTestId('position').textContent()).toBe('13 / 14');
    await page.getByTestId('step-input').filter({ hasText: 'DeviceBound' }).waitFor();
    expect(await page.getByTestId('step-input').textContent()).toContain('200 binds 0000:6a:01.0');
    expect(await page.getByTestId('step-sentence').textContent()).toBe(
      'tid 100 still has MSR 1; PASID 1 now belongs to pid 200 under EAGER_UNBIND (LAZY_REFCOUNT keeps ' +
        "it for pid 100 and gives pid 200 PASID 2); tid 100's next ENQCMD on 0000:6a:01.0 runs in pid " +
        "200's memory.",
    );
    const left = page.getByTestId('compare-left');
    const right = page.getByTestId('compare-right');
    const rightPasid1 = right.locator('[data-testid=pasid-table] tr[data-pasid="1"]');
    expect(await rightPasid1.textContent()).toContain('pid 200');
    expect(await rightPasid1.getAttribute('class')).toContain('change-changed');
    expect(await rightPasid1.getAttribute('title')).toBe('differs under LAZY_REFCOUNT');
    expect(await left.locator('[data-testid=pasid-table] tr[data-pasid="1"]').textContent()).toContain(
      'pid 100',
    );
    expect(
      await left.locator('[data-testid=pasid-table] tr[data-pasid="2"]').getAttribute('class'),
    ).toContain('change-added');
    await page.screenshot({ path: screenshotPath('compare-13'), fullPage: true });
    // Back steps back within the view.
    await page.goBack();
    await shownAt(12);
    expect(new URL(page.url()).pathname).toBe('/systems/worked-example/compare');
    // Home, End, and the scrubber.
    await page.keyboard.press('Home');
    await shownAt(0);
    expect(await page.getByTestId('step-sentence').textContent()).toContain(
      'The two policies agree at this step',
    );
    await page.keyboard.press('End');
    await shownAt(14);
    expect(await page.getByTestId('step-sentence').textContent()).toContain(
      'PASID 1 is freed under LAZY_REFCOUNT and belongs to pid 200 under EAGER_UNBIND',
    );
    await page.getByTestId('scrubber').fill('5');
    await shownAt(5);
    // The button beside the divergence goes back to it; space plays on to the end.
    await page.getByTestId('show-divergence').click();
    await shownAt(11);
    await page.getByTestId('play-rate').selectOption('10');
    // Keys go to the page, not to the speed list that keeps the focus.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('Space');
    await shownAt(14);
    await page.locator('[data-testid=play]', { hasText: 'Play' }).waitFor();
  });

  it('shows a divergence found after 2,000+ events, with no step limit', { timeout: 120_000 }, async () => {
    const { page } = stack;
    const lines = [JSON.stringify({ system: 'long-agreement', policy: 'LAZY_REFCOUNT', maxPasid: 1048576 })];
    for (let i = 0; i < FILLER_PROCESSES; i++) {
      lines.push(JSON.stringify({ type: 'ProcessCreated', pid: 1000 + i }));
      lines.push(JSON.stringify({ type: 'TaskExited', tid: 1000 + i }));
    }
    const worked = [
      { type: 'ProcessCreated', pid: 100 },
      { type: 'DeviceBound', pid: 100, device: '0000:6a:01.0' },
      { type: 'ThreadCreated', tid: 101, pid: 100 },
      { type: 'Enqcmd', tid: 100, device: '0000:6a:01.0' },
      { type: 'Enqcmd', tid: 101, device: '0000:6a:01.0' },
      { type: 'DeviceBound', pid: 100, device: '0000:6a:02.0' },
      { type: 'ProcessCreated', pid: 200, parent: 100 },
      { type: 'Enqcmd', tid: 200, device: '0000:6a:01.0' },
      { type: 'DeviceUnbound', pid: 100, device: '0000:6a:01.0' },
      { type: 'TaskExited', tid: 101 },
      { type: 'DeviceUnbound', pid: 100, device: '0000:6a:02.0' },
    ];
    for (const e of worked) lines.push(JSON.stringify(e));
    await stack.gql(
      'mutation ($system: String!, $history: String!) { importHistory(system: $system, history: $history) { version } }',
      { system: 'long-agreement', history: `${lines.join('\n')}\n` },
    );
    const at = 2 * FILLER_PROCESSES + 11;
    expect(at).toBeGreaterThan(2000);
    await page.goto(compare('long-agreement', ''));
    await shownAt(at);
    expect(await page.getByTestId('divergence-title').textContent()).toBe(
      `LAZY_REFCOUNT and EAGER_UNBIND diverge at input ${at.toLocaleString('en')}`,
    );
    expect(await page.getByTestId('divergence-input').getAttribute('data-type')).toBe('DeviceUnbound');
    expect(await page.getByTestId('divergence-explanation').textContent()).toContain(
      'EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1',
    );
    expect(await page.getByTestId('position').textContent()).toBe(
      `${at.toLocaleString('en')} / ${at.toLocaleString('en')}`,
    );
    // Nothing says a search stopped short.
    expect(await page.getByTestId('compare').textContent()).not.toMatch(/search stops|up to event/);
    await page.screenshot({ path: screenshotPath('compare-long') });
  });
});
