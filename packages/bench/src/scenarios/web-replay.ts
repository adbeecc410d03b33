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
 * on screen (the page's own performance measure `replay:state-shown`). Baselines, from the same
 * run: a bare GraphQL request for the same data straight to the API from Node.
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
      return [
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
