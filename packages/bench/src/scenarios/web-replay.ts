import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateHistory } from '@pasid/domain';
import { chromium, type Page } from 'playwright-core';
import { absolute, type BenchContext, compared, type Figure, type Scenario } from '../scenario.js';
import { createBenchDatabase } from './store/support.js';

/**
 * The web app's replay on a 1,000,000-event system, in headless Chromium against the real API and
 * Postgres: the first load of the replay page, and the time from a scrubber move to the new state
 * on screen (the page's own performance measure `replay:state-shown`); and the lifetime lanes at
 * three zooms (`lanes:drawn`, see `measureLanes`). Baselines, from the same run: a bare GraphQL
 * request for the same data straight to the API from Node.
 */
const EVENTS = 1_000_000;
const POLICY = 'LAZY_REFCOUNT';
const LOADS = 5;
const MOVES = 40;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const STEP_STATE = `policy events pasids { pasid pid refcount devices } tasks { tid pid msr }
  processes { pid parent tasks pasid bonds { device count } } freed`;

interface Child {
  url: string;
  stop(): Promise<void>;
}

function startChild(args: string[], env: Record<string, string>, cwd: string, ready: RegExp): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started = false;
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = started ? null : ready.exec(output);
      if (match) {
        started = true;
        resolve({
          url: match[1] ?? '',
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => {
      if (!started) reject(new Error(`${args[0]} exited with ${code}:\n${output}`));
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

export const webReplayScenario: Scenario = {
  name: 'web-replay',
  async run(ctx: BenchContext) {
    if (!existsSync(CHROMIUM))
      throw new Error(`web-replay needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    const apiDist = path.join(ctx.repoRoot, 'apps/api/dist');
    const webDir = path.join(ctx.repoRoot, 'apps/web');
    const db = await createBenchDatabase('web');
    const stops: (() => Promise<void>)[] = [() => db.drop()];
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [path.join(apiDist, 'keys.js'), 'create', 'bench', '--role', 'writer'],
        {
          env: { ...process.env, DATABASE_URL: db.url },
        },
      );
      const key = stdout.trim();
      const api = await startChild(
        [path.join(apiDist, 'main.js')],
        { API_PORT: '0', DATABASE_URL: db.url },
        ctx.repoRoot,
        /listening on (http:\/\/\S+)/,
      );
      stops.unshift(() => api.stop());
      const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
        const res = await fetch(api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
        if (body.errors?.length || !body.data)
          throw new Error(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
        return body.data;
      };

      // A 1,000,000-event system, recorded as a history file streamed to the API's import route
      // (JSON Lines, one transaction): GraphQL batches of 1000 would take the bench an hour.
      const system = 'bench-1m';
      const recording = performance.now();
      const res = await fetch(`${api.url.replace(/\/graphql$/, '')}/systems/${system}/history`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
        body: historyFile(EVENTS, (n) =>
          ctx.progress(`recording ${n.toLocaleString('en')} / ${EVENTS.toLocaleString('en')} events`),
        ),
        duplex: 'half',
      } as RequestInit);
      if (res.status !== 201) throw new Error(`import answered ${res.status}: ${await res.text()}`);
      ctx.progress(`recorded in ${((performance.now() - recording) / 1000).toFixed(0)} s`);

      const port = await freePort();
      // Next's standalone server, as `npm start` and the web image run it; reads need no key.
      const web = await startChild(
        [path.join(webDir, '.next/standalone/apps/web/server.js')],
        {
          PORT: String(port),
          HOSTNAME: '127.0.0.1',
          PASID_API_URL: api.url,
          NEXT_TELEMETRY_DISABLED: '1',
          NODE_ENV: 'production',
        },
        webDir,
        /(Ready in)/,
      );
      stops.unshift(() => web.stop());
      const webUrl = `http://127.0.0.1:${port}/systems/${system}`;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      stops.unshift(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const random = seeded(7);
      const position = () => 1 + Math.floor(random() * (EVENTS - 1));

      // First load: navigation to the replay state on screen and the page live (hydrated).
      const load = async (at: number) => {
        const start = performance.now();
        await page.goto(`${webUrl}?at=${at}`);
        await page.locator(`.replay[data-ready=true] [data-testid=state][data-version="${at}"]`).waitFor();
        return performance.now() - start;
      };
      ctx.progress('first loads of the replay page');
      await load(position()); // warm-up: Next's first render of the route, the browser's caches
      const loads: number[] = [];
      for (let i = 0; i < LOADS; i++) loads.push(await load(position()));
      const rawLoads: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const at = position();
        const start = performance.now();
        await gql(
          `{ system(name: "${system}") { state(at: ${at}) { ${STEP_STATE} hazards { code event tid pid device pasid } } } }`,
        );
        rawLoads.push(performance.now() - start);
      }

      ctx.progress(`${MOVES} scrubber moves`);
      const moves: number[] = [];
      for (let i = 0; i < MOVES; i++) moves.push(await scrub(page, position()));
      const raw: number[] = [];
      for (let i = 0; i < MOVES; i++) {
        const start = performance.now();
        await gql(`{ system(name: "${system}") { state(at: ${position()}) { ${STEP_STATE} } } }`);
        raw.push(performance.now() - start);
      }
      const lanes = await measureLanes(ctx, page, `${webUrl}/lanes`, random, (from, to) =>
        gql(`{ lanes(system: "${system}", from: ${from}, to: ${to}, resolution: ${LANE_RESOLUTION}, first: ${LANES_PAGE}) {
          version total rows { kind key label nested count bars { key from to tone label title count }
          marks { code version lastVersion count tid pid device pasid } } } }`),
      );
      return [
        ...lanes,
        compared('web.replay.first-load.p50', percentile(loads, 50), 'ms', percentile(rawLoads, 50)),
        absolute('web.replay.first-load.max', Math.max(...loads), 'ms'),
        compared('web.replay.scrub-to-state.p95', percentile(moves, 95), 'ms', percentile(raw, 95)),
        compared('web.replay.scrub-to-state.p50', percentile(moves, 50), 'ms', percentile(raw, 50)),
      ] satisfies Figure[];
    } finally {
      for (const stop of stops) await stop().catch(() => undefined);
    }
  },
};

/** The web app's lanes window: its resolution and page of rows (apps/web/lib/replay/lanes.ts). */
const LANE_RESOLUTION = 600;
const LANES_PAGE = 60;
/** Zooms measured, each that many times: the whole history, a tenth of it, a thousandth. */
const ZOOM_ROUNDS = 10;

/**
 * The lanes page on the same system: its first load (the API folds the history into lifetimes
 * once: `web.lanes.lifetimes-cold`, then the page again, warm), then zooms as a user makes them,
 * by dragging on the axis: a tenth of the history, a hundredth of that (0.1%), and back to the
 * whole (the key 0). Each is the page's own measure `lanes:drawn`, from the new range to its lanes
 * on screen, beside the bare GraphQL `lanes` query for a window of the same width from Node.
 */
async function measureLanes(
  ctx: BenchContext,
  page: Page,
  url: string,
  random: () => number,
  raw: (from: number, to: number) => Promise<unknown>,
): Promise<Figure[]> {
  ctx.progress('lanes: first load (the API folds the history into lifetimes)');
  const drawn = () =>
    page.evaluate(`performance.getEntriesByName('lanes:drawn').map((e) => e.duration)`) as Promise<number[]>;
  const cold = performance.now();
  await page.goto(url, { timeout: 600_000 });
  await page.locator('[data-lane]').first().waitFor({ timeout: 600_000 });
  const coldMs = performance.now() - cold;
  const warm = performance.now();
  await page.goto(url);
  await page.locator('[data-lane]').first().waitFor();
  const warmMs = performance.now() - warm;
  const axis = (await page.getByTestId('lanes-axis').boundingBox())!;
  const y = axis.y + axis.height / 2;
  /** Runs `act` and returns the `lanes:drawn` measure it caused. */
  const measure = async (act: () => Promise<void>) => {
    const before = (await drawn()).length;
    await act();
    await page.waitForFunction(`performance.getEntriesByName('lanes:drawn').length > ${before}`);
    return (await drawn()).at(-1)!;
  };
  const drag = (start: number, width: number) => async () => {
    await page.mouse.move(axis.x + axis.width * start, y);
    await page.mouse.down();
    await page.mouse.move(axis.x + axis.width * (start + width / 2), y, { steps: 2 });
    await page.mouse.move(axis.x + axis.width * (start + width), y, { steps: 2 });
    await page.mouse.up();
  };
  ctx.progress(`lanes: ${ZOOM_ROUNDS} rounds of zooms (a tenth, a thousandth, the whole)`);
  const tenth: number[] = [];
  const thousandth: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < ZOOM_ROUNDS; i++) {
    tenth.push(await measure(drag(random() * 0.9, 0.1)));
    thousandth.push(await measure(drag(random() * 0.98, 0.01)));
    whole.push(await measure(() => page.keyboard.press('0')));
  }
  // Where the time goes: the browser's fetch of each window (through the web server to the API).
  const fetches = (await page.evaluate(
    `performance.getEntriesByType('resource').filter((e) => e.name.includes('/lanes?')).map((e) => e.duration)`,
  )) as number[];
  ctx.progress(
    `lanes: the window fetches from the browser p50 ${percentile(fetches, 50).toFixed(0)} ms, p95 ${percentile(fetches, 95).toFixed(0)} ms`,
  );
  const last = Number(
    ((await page.getByTestId('lanes-range').textContent()) ?? '').replace(/,/g, '').match(/of (\d+)/)?.[1],
  );
  const rawOf = async (fraction: number) => {
    const out: number[] = [];
    for (let i = 0; i < ZOOM_ROUNDS; i++) {
      const width = Math.max(2, Math.round((last + 1) * fraction));
      const from = Math.floor(random() * (last + 1 - width));
      const start = performance.now();
      await raw(from, from + width);
      out.push(performance.now() - start);
    }
    return out;
  };
  const rawWhole = await rawOf(1);
  const rawTenth = await rawOf(0.1);
  const rawThousandth = await rawOf(0.001);
  return [
    absolute('web.lanes.lifetimes-cold', coldMs, 'ms'),
    compared('web.lanes.first-load', warmMs, 'ms', percentile(rawWhole, 50)),
    compared(
      'web.lanes.draw.p95',
      percentile([...whole, ...tenth, ...thousandth], 95),
      'ms',
      percentile([...rawWhole, ...rawTenth, ...rawThousandth], 95),
    ),
    compared('web.lanes.draw.whole.p95', percentile(whole, 95), 'ms', percentile(rawWhole, 95)),
    compared('web.lanes.draw.tenth.p95', percentile(tenth, 95), 'ms', percentile(rawTenth, 95)),
    compared(
      'web.lanes.draw.thousandth.p95',
      percentile(thousandth, 95),
      'ms',
      percentile(rawThousandth, 95),
    ),
  ];
}

/**
 * Moves the scrubber to `at` as a drag would (an input event) and returns the page's own measure.
 * The browser code is a string: this package is compiled without the DOM's types.
 */
async function scrub(page: Page, at: number): Promise<number> {
  await page.evaluate(`(() => {
    const input = document.querySelector('[data-testid=scrubber]');
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, '${at}');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  })()`);
  const handle = await page.waitForFunction(
    `performance.getEntriesByName('replay:state-shown').find((e) => e.detail && e.detail.at === ${at})?.duration`,
  );
  return (await handle.jsonValue()) as number;
}

/** A seeded valid history of `count` inputs as a history file (header first), made as it is sent. */
function historyFile(count: number, progress: (sent: number) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const events = generateHistory({ policy: POLICY, maxPasid: 1 << 20, seed: 42 });
  let sent = -1;
  return new ReadableStream({
    pull(controller) {
      if (sent === -1) {
        controller.enqueue(encoder.encode(`${JSON.stringify({ policy: POLICY })}\n`));
        sent = 0;
        return;
      }
      if (sent === count) return controller.close();
      const lines: string[] = [];
      while (lines.length < 10_000 && sent < count) {
        lines.push(JSON.stringify(events.next().value));
        sent += 1;
      }
      if (sent % 100_000 === 0) progress(sent);
      controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
    },
  });
}

/** mulberry32: the same positions on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
