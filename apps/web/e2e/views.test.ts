import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { type Stack, startStack } from './support/stack';

/** Issue 14's views (lifetime lanes, ...) in headless Chromium against the real API and Postgres. */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

describe.runIf(enabled)('the views a kernel engineer reads', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack('webviews');
    base = stack.web.url;
    await stack.importSample('worked-example.jsonl', 'worked-example');
    await stack.importSample('random-10k.jsonl', 'random-seed-7');
    // Model version 2: the spec's second and third examples.
    await stack.importSample('inherited-file.jsonl', 'inherited-file');
    await stack.importSample('exec-after-enqcmd.jsonl', 'exec-after-enqcmd');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const lane = (key: string) => stack.page.locator(`[data-lane="${key}"]`);
  const bars = (key: string) =>
    lane(key)
      .locator('.lane-bar')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to'), e.textContent]),
      );

  it('draws the lifetimes of the worked example: PASID 1 until step 14, PASID 2 from 13', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example/lanes`);
    await lane('pasid:1').waitFor();
    expect(await bars('pasid:1')).toEqual([['2', '14', 'pid 100']]);
    expect(await bars('pasid:2')).toEqual([['13', '', 'pid 200']]);
    // Who still carried PASID 1 in an MSR: task 100 until it exits at 14.
    expect(await bars('task:100:1')).toEqual([
      ['1', '14', ''],
      ['4', '14', 'MSR 1'],
    ]);
    expect(await lane('hazard:DMAR_FAULT').locator('.lane-mark').getAttribute('data-version')).toBe('12');
    // A bar opens the replay at the step that began it.
    expect(await lane('pasid:2').locator('.lane-bar').getAttribute('href')).toBe(
      '/systems/worked-example?at=13',
    );
  });

  it('gives value 1 two generations under EAGER_UNBIND', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example/lanes?policy=EAGER_UNBIND`);
    await lane('pasid:1').waitFor();
    expect(await bars('pasid:1')).toEqual([
      ['2', '11', 'pid 100'],
      ['13', '', 'pid 200'],
    ]);
  });

  it('filters the lanes by pid, and zooms to a range dragged on the axis', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example/lanes`);
    await lane('pasid:1').waitFor();
    await page.getByTestId('filter-pid').fill('200');
    await page.waitForURL(/[?&]pid=200\b/);
    const keys = await page
      .locator('[data-lane]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    expect(keys).toEqual([
      'hazard:SIGSEGV',
      'pasid:2',
      'process:200:7',
      'task:200:7',
      'entry:0000:6a:01.0 · PASID 2',
    ]);
    await page.screenshot({ path: screenshotPath('lanes-pid-200') });
    // The filter is in the URL: a link shows the same lanes.
    await page.goto(page.url());
    await lane('pasid:2').waitFor();
    expect(await page.locator('[data-lane="pasid:1"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await lane('pasid:1').waitFor();
    // Drag across steps 10 to 14 on the axis.
    const axis = (await page.getByTestId('lanes-axis').boundingBox())!;
    const x = (step: number) => axis.x + (axis.width * step) / 15;
    await page.mouse.move(x(10), axis.y + axis.height / 2);
    await page.mouse.down();
    await page.mouse.move(x(12), axis.y + axis.height / 2, { steps: 4 });
    await page.mouse.move(x(13.5), axis.y + axis.height / 2, { steps: 4 });
    await page.mouse.up();
    await page
      .getByTestId('lanes-range')
      .filter({ hasText: /steps 10–13 of 14/ })
      .waitFor();
    await page.keyboard.press('0');
    await page
      .getByTestId('lanes-range')
      .filter({ hasText: /steps 0–14 of 14/ })
      .waitFor();
  });

  it('draws 10,000 events: hazard marks by code, zoomable', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/random-seed-7/lanes`);
    await page.locator('[data-lane^="hazard:"]').first().waitFor({ timeout: 60_000 });
    const codes = await page
      .locator('[data-lane^="hazard:"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    expect(codes.length).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('lanes-10k') });
    await page.getByRole('button', { name: '+' }).click();
    await page
      .getByTestId('lanes-range')
      .filter({ hasText: /steps 2,500–7,500 of 10,000/ })
      .waitFor();
  });

  it('says what a number is made of: a count as bonds and MSRs, the pool, who held a freed PASID', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example?at=6`);
    const row = page.locator(
      '[data-testid=state][data-version="6"] [data-testid=pasid-table] tr[data-pasid="1"]',
    );
    await row.waitFor();
    expect(await row.locator('[data-testid=refcount]').textContent()).toBe('4');
    const parts = await row.locator('[data-testid=count-parts]').textContent();
    expect(parts).toContain('2 bonds: 0000:6a:01.0 ×1, 0000:6a:02.0 ×1');
    expect(parts).toContain('2 MSRs: tid 100, tid 101');
    expect(await page.getByTestId('pool-usage').first().textContent()).toContain('1 allocated of 1,048,575');
    await page.goto(`${base}/systems/worked-example?at=14`);
    const freed = page.locator('[data-testid=state][data-version="14"] [data-freed="1"]');
    expect(await freed.textContent()).toBe('1 held by pid 100 · freed at event 14');
  });

  it('pages the hazards and filters them by code', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/random-seed-7`);
    const panel = page.locator('[data-testid=state][data-version="10000"] [data-testid=hazards]');
    await panel.waitFor();
    await panel.getByTestId('hazard-code').selectOption('SIGSEGV');
    const pages = panel.getByTestId('hazard-pages');
    const total = Number(
      (/of ([\d,]+)/.exec((await pages.textContent()) ?? '')?.[1] ?? '').replace(/,/g, ''),
    );
    expect(total).toBeGreaterThan(25);
    expect(
      new Set(
        await panel
          .locator('li[data-hazard]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-hazard'))),
      ),
    ).toEqual(new Set(['SIGSEGV']));
    expect(await panel.locator('li[data-hazard]').count()).toBe(25);
    await pages.getByRole('button', { name: '← earlier' }).click();
    expect(await pages.textContent()).toContain(
      `${(total - 49).toLocaleString('en')}–${(total - 25).toLocaleString('en')} of`,
    );
  });

  it("shows an event's detail and links it both ways with the audit log and the replay", async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example?at=12`);
    await page.locator('.replay[data-ready=true] [data-testid=state][data-version="12"]').waitFor();
    await page.getByTestId('event-details').click();
    await page.waitForURL(/\/systems\/worked-example\/events\/12$/);
    const cards = page.getByTestId('event-card');
    const input = cards.first();
    expect(await input.getAttribute('data-type')).toBe('Enqcmd');
    const raw = JSON.parse((await input.getByTestId('raw-json').textContent()) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(raw).toMatchObject({
      version: 12,
      index: 0,
      kind: 'INPUT',
      type: 'Enqcmd',
      system: 'worked-example',
    });
    expect(raw.data).toEqual({ type: 'Enqcmd', tid: 100, device: '0000:6a:01.0' });
    expect(raw.id).toEqual(expect.any(String));
    expect(raw.correlationId).toEqual(expect.any(String));
    // The derived hazard, caused by this input.
    const hazard = page.locator('[data-testid=event-card][data-type=HazardDetected]');
    expect(await hazard.getByTestId('causation').textContent()).toContain(`${raw.id} (the input above)`);
    expect(await hazard.getByTestId('raw-json').textContent()).toContain('DMAR_FAULT');
    await page.screenshot({ path: screenshotPath('event-detail'), fullPage: true });
    // Audit log -> detail -> replay.
    await page.goto(`${base}/audit?system=worked-example&type=HazardDetected`);
    await page.locator('.audit-row', { hasText: 'DMAR_FAULT' }).getByTestId('audit-event-link').click();
    await page.waitForURL(/\/events\/12$/);
    await page.getByTestId('open-replay').click();
    await page.locator('[data-testid=state][data-version="12"]').waitFor();
    // Detail -> audit log (the batch).
    await page.goto(`${base}/systems/worked-example/events/12`);
    await page.getByTestId('open-audit').click();
    await page.getByTestId('audit-table').waitFor();
    expect(page.url()).toContain(`correlation=${raw.correlationId}`);
  });

  it('screenshots every view at 1280 and 2560 px', { timeout: 300_000 }, async () => {
    const { page } = stack;
    const views: [string, string][] = [
      ['systems', '/'],
      ['replay', '/systems/worked-example?at=12'],
      ['lanes', '/systems/worked-example/lanes'],
      ['charts', '/systems/worked-example/charts'],
      ['compare', '/systems/worked-example/compare?left=LAZY_REFCOUNT&right=EAGER_UNBIND'],
      ['live', '/systems/worked-example/live'],
      ['audit', '/audit?system=worked-example'],
      ['event', '/systems/worked-example/events/12'],
      ['replay-10k', '/systems/random-seed-7?at=5000'],
      ['not-found', '/systems/nope'],
      // Model version 2: fd tables, an inherited file keeping a released mm's PASID, the seed's
      // UNBALANCED_PUT after an exec and the use-after-free that follows.
      ['v2-fd-table', '/systems/inherited-file?at=4'],
      ['v2-inherited-file', '/systems/inherited-file?at=6'],
      ['v2-inherited-file-lanes', '/systems/inherited-file/lanes'],
      ['v2-exec-after-enqcmd', '/systems/exec-after-enqcmd?at=9'],
      ['v2-exec-after-enqcmd-end', '/systems/exec-after-enqcmd?at=10'],
      ['v2-exec-after-enqcmd-compare', '/systems/exec-after-enqcmd/compare?left=LAZY_REFCOUNT&right=MM_EXIT'],
    ];
    for (const [width, height] of [
      [1280, 800],
      [2560, 1440],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const [name, path] of views) {
        await page.goto(`${base}${path}`);
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: screenshotPath(`view-${name}-${width}`) });
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
