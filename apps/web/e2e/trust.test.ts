import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, screenshotPath } from './support/browser';
import { type Stack, startStack } from './support/stack';

/**
 * Issue 14's "Broken" list, each as it was reported, in headless Chromium against the real API
 * and Postgres: every test here failed on the code before the fix.
 */
const enabled = (await postgresAvailable('the browser tests')) && chromiumAvailable();

describe.runIf(enabled)('what broke trust in the web app', () => {
  let stack: Stack;
  let base: string;

  beforeAll(async () => {
    stack = await startStack('webtrust');
    base = stack.web.url;
    await stack.importSample('worked-example.jsonl', 'worked-example');
    await stack.importSample('random-10k.jsonl', 'random-seed-7');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers an unknown system (replay, charts, live, audit filter) with a 404 page', async () => {
    const { page } = stack;
    for (const path of [
      '/systems/nope',
      '/systems/nope/charts',
      '/systems/nope/live',
      '/audit?system=nope',
    ]) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status(), path).toBe(404);
      await page.getByRole('heading', { name: 'Not found' }).waitFor();
      // Hydrated without an error boundary taking over.
      await page.waitForLoadState('networkidle');
      expect(await page.locator('main').textContent(), path).not.toContain('Something went wrong');
    }
    await page.screenshot({ path: screenshotPath('not-found') });
  });

  it("keeps every system's links (charts, compare, live, export) inside the systems panel at 1280 px", async () => {
    const { page } = stack;
    await page.setViewportSize({ width: 1280, height: 900 });
    try {
      await page.goto(`${base}/`);
      const panel = await page.getByTestId('systems').locator('xpath=ancestor::section[1]').boundingBox();
      const links = page.getByTestId('systems').getByRole('link', { name: 'export' });
      expect(await links.count()).toBe(2);
      for (const link of await links.all()) {
        const box = await link.boundingBox();
        // Was cut off by the panel's edge: the table overflowed its grid column.
        expect(box && panel && box.x + box.width <= panel.x + panel.width).toBe(true);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('says plainly that ?at=99 and ?at=abc are not steps, instead of showing another one', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example?at=99`);
    const error = page.getByTestId('position-error');
    expect(await error.textContent()).toContain('There is no step 99: this history has 14 input events');
    expect(await page.locator('[data-testid=state]').count()).toBe(0);
    await page.goto(`${base}/systems/worked-example?at=abc`);
    expect(await page.getByTestId('position-error').textContent()).toContain('"abc" is not a step');
    await page.goto(`${base}/systems/worked-example/compare?left=LAZY_REFCOUNT&right=EAGER_UNBIND&at=99`);
    expect(await page.getByTestId('position-error').textContent()).toContain('There is no step 99');
    await page.screenshot({ path: screenshotPath('position-error') });
  });

  it('steps back with the browser Back button', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/worked-example?at=5`);
    await page.locator('.replay[data-ready=true] [data-testid=state][data-version="5"]').waitFor();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/[?&]at=6\b/);
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/[?&]at=7\b/);
    await page.goBack();
    await page.locator('[data-testid=state][data-version="6"]').waitFor();
    expect(page.url()).toMatch(/[?&]at=6\b/);
    expect(await page.getByTestId('position').textContent()).toBe('6 / 14');
    await page.goBack();
    await page.locator('[data-testid=state][data-version="5"]').waitFor();
    await page.goForward();
    await page.locator('[data-testid=state][data-version="6"]').waitFor();
    // Still the replay page: Back stepped within it rather than leaving it.
    expect(new URL(page.url()).pathname).toBe('/systems/worked-example');
  });

  it('has a favicon', async () => {
    const { page } = stack;
    await page.goto(base);
    const href = await page.locator('link[rel=icon]').first().getAttribute('href');
    expect(href).toBeTruthy();
    const res = await fetch(new URL(href!, base));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('image/');
  });

  it('during fast playback shows the state of the position on the counter, at every step', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/random-seed-7?at=100`);
    await page.locator('.replay[data-ready=true] [data-testid=state][data-version="100"]').waitFor();
    await page.getByTestId('play-rate').selectOption('30');
    // Every rendering of the counter and the state heading, as the browser commits them.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const read = () => {
        const position = document.querySelector('[data-testid=position]')?.textContent ?? '';
        const heading = document.querySelector('[data-testid=state-heading]')?.textContent ?? '';
        seen.push(
          `${position.split(' / ')[0]?.replace(/,/g, '')}|${heading.replace('State after event ', '')}`,
        );
      };
      new MutationObserver(read).observe(document.querySelector('.replay')!, {
        subtree: true,
        childList: true,
        characterData: true,
      });
    });
    await page.getByTestId('play').click();
    await page.waitForFunction(() => {
      const seen = (window as unknown as { seen: string[] }).seen;
      return new Set(seen.map((s) => s.split('|')[0])).size >= 30;
    });
    await page.getByTestId('play').click();
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const mismatched = seen.filter((s) => {
      const [position, heading] = s.split('|');
      return position !== heading;
    });
    expect(mismatched).toEqual([]);
    // Every step in order: playback never skips a state.
    const positions = [...new Set(seen.map((s) => Number(s.split('|')[0])))];
    expect(positions.every((p, i) => i === 0 || p === positions[i - 1]! + 1)).toBe(true);
  });

  it('keeps 1,689-odd hazards on 10,000 events apart on the scrubber, as a histogram', async () => {
    const { page } = stack;
    await page.goto(`${base}/systems/random-seed-7?at=0`);
    const density = page.getByTestId('hazard-density');
    await density.waitFor();
    const total = Number(await density.getAttribute('data-total'));
    expect(total).toBeGreaterThan(1000);
    const marks = density.locator('.mark[data-count]');
    const counts = await marks.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
    const boxes = await marks.evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, width: r.width, height: r.height };
      }),
    );
    const track = (await density.boundingBox())!;
    // Bars, not one bar: each narrow, gaps between them, heights that vary with the count.
    expect(boxes.length).toBeGreaterThan(20);
    expect(Math.max(...boxes.map((b) => b.width))).toBeLessThan(track.width / 50);
    expect(new Set(boxes.map((b) => Math.round(b.height))).size).toBeGreaterThan(2);
    const sorted = [...boxes].sort((a, b) => a.x - b.x);
    expect(sorted.every((b, i) => i === 0 || b.x >= sorted[i - 1]!.x + sorted[i - 1]!.width)).toBe(true);
    await page.getByTestId('controls').screenshot({ path: screenshotPath('scrubber-10k') });
  });

  it('draws every PASID in its own chart, sorted as numbers, with the drop to 0', async () => {
    const { page } = stack;
    await stack.gql('mutation ($input: CreateSystemInput!) { createSystem(input: $input) { name } }', {
      input: { name: 'fourteen', policy: 'LAZY_REFCOUNT' },
    });
    const events: Record<string, unknown>[] = [];
    for (let i = 1; i <= 14; i++) {
      events.push(
        { type: 'ProcessCreated', pid: 100 + i },
        { type: 'DeviceBound', pid: 100 + i, device: '0000:6a:01.0' },
      );
    }
    events.push({ type: 'TaskExited', tid: 101 });
    await stack.record('fourteen', events);
    await page.goto(`${base}/systems/fourteen/charts`);
    await page.getByTestId('chart-refcount').locator('.refcount-row').first().waitFor();
    expect(await page.getByTestId('refcount-count').textContent()).toContain('all 14 PASID values');
    const rows = page.getByTestId('chart-refcount').locator('.refcount-row');
    const shown = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-pasid'))));
    expect(shown.slice(0, 4)).toEqual([1, 2, 3, 4]);
    await page.getByTestId('chart-refcount').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await rows.locator('xpath=self::*[@data-pasid="14"]').waitFor();
    await page.screenshot({ path: screenshotPath('charts-fourteen'), fullPage: true });
    // PASID 1 is freed at the last step: its own chart ends at 0, not hidden under another line.
    await page.getByTestId('chart-refcount').evaluate((el) => el.scrollTo(0, 0));
    const pasid1 = rows.locator('xpath=self::*[@data-pasid="1"]');
    await pasid1.locator('.recharts-line-curve').waitFor();
    expect(await page.getByTestId('pool-usage').textContent()).toContain('at most 14 of 1,048,575');
  });

  it('keeps the live header in step with the body, oldest event first, derived under its input', async () => {
    const { page } = stack;
    await stack.gql('mutation ($input: CreateSystemInput!) { createSystem(input: $input) { name } }', {
      input: { name: 'live-trust', policy: 'LAZY_REFCOUNT' },
    });
    await page.goto(`${base}/systems/live-trust/live`);
    await page.locator('[data-testid=live-status]', { hasText: 'live' }).waitFor();
    expect(await page.getByTestId('record-example').textContent()).toContain('recordEvents');
    await stack.record('live-trust', [
      { type: 'ProcessCreated', pid: 100 },
      { type: 'DeviceBound', pid: 100, device: '0000:6a:01.0' },
      { type: 'ThreadCreated', tid: 101, pid: 100 },
      { type: 'Enqcmd', tid: 100, device: '0000:6a:01.0' },
      { type: 'Enqcmd', tid: 101, device: '0000:6a:01.0' },
      { type: 'ProcessCreated', pid: 200, parent: 100 },
      { type: 'Enqcmd', tid: 200, device: '0000:6a:01.0' },
    ]);
    await page.locator('[data-testid=live-version]', { hasText: /^7$/ }).waitFor();
    await page.locator('[data-testid=header-version]', { hasText: /^7$/ }).waitFor();
    const rows = await page
      .getByTestId('live-feed')
      .locator('li')
      .evaluateAll((els) =>
        els.map((e) => ({
          position: Number(e.getAttribute('data-position')),
          kind: e.getAttribute('data-kind'),
          text: e.textContent ?? '',
        })),
      );
    expect(rows.every((r, i) => i === 0 || r.position > rows[i - 1]!.position)).toBe(true);
    expect(rows[0]!.kind).toBe('INPUT');
    // Each derived event right under its own input: the last input above it has its version.
    const versionOf = (text: string) => Number(/\bv(\d+)\b/.exec(text)?.[1]);
    let input = rows[0]!;
    for (const row of rows) {
      if (row.kind === 'INPUT') input = row;
      else expect(versionOf(row.text)).toBe(versionOf(input.text));
    }
    expect(rows.find((r) => r.text.includes('hazard SIGSEGV'))).toBeTruthy();
    await page.screenshot({ path: screenshotPath('live-trust') });
    // The systems list links to the live page, where the example request is.
    await page.goto(base);
    await page.locator('[data-system=live-trust] a[href$="/live"]').click();
    await page.getByTestId('record-example').waitFor();
  });
});
