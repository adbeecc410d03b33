import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openEventStore } from '@pasid/store';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type BenchContext, compared, type Figure, type Scenario } from '../scenario.js';
import { createBenchDatabase } from './store/support.js';

/** Concurrent HTTP clients of the load generator, and how long each measured phase lasts. */
const CONCURRENCY = 16;
const PHASE_MS = 1500;
/** Alternations of the two queries: short phases, many times, so a drift in machine load hits both. */
const QUERY_ROUNDS = 5;
const SUBSCRIBERS = 1000;
const FANOUT_ROUNDS = 20;

const STATE_QUERY = `{ system(name: "worked-example") { state {
  policy events pasids { pasid pid refcount devices } tasks { tid pid msr } freed
  hazards { code event tid pid device pasid } } } }`;
const TRIVIAL_QUERY = '{ __typename }';

/**
 * The raw floor of fan-out: a bare `ws` server, as its own process, that sends every POSTed body to
 * all its clients. Same machine, same clients, no GraphQL, no database.
 */
const RAW_BROADCAST = `
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => { for (const c of wss.clients) c.send(body); res.end('ok'); });
});
const wss = new WebSocketServer({ server });
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port + '/'));
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts a child and resolves with the URL it prints ("listening on <url>"). */
async function startChild(args: string[], env: Record<string, string>, cwd: string) {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}:\n${output}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as Record<string, unknown>;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** CONCURRENCY clients sending `query` back to back for PHASE_MS: requests per second and latencies. */
async function load(url: string, query: string): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  const body = JSON.stringify({ query });
  const end = nowMs() + PHASE_MS;
  const start = nowMs();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (nowMs() < end) {
        const t0 = nowMs();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const text = await response.text();
        if (response.status !== 200 || text.includes('"errors"'))
          throw new Error(`bad answer: ${text.slice(0, 200)}`);
        latencies.push(nowMs() - t0);
      }
    }),
  );
  return { perSecond: latencies.length / ((nowMs() - start) / 1000), latencies };
}

/** Throughput of the state query vs `{ __typename }`, alternated QUERY_ROUNDS times. */
async function queryFigures(url: string, ctx: BenchContext): Promise<Figure[]> {
  await load(url, TRIVIAL_QUERY); // warm-up: JIT, connections, the state cache
  await load(url, STATE_QUERY);
  const trivial = { count: 0, seconds: 0, latencies: [] as number[] };
  const state = { count: 0, seconds: 0, latencies: [] as number[] };
  for (let round = 0; round < QUERY_ROUNDS; round++) {
    for (const [target, query] of [
      [trivial, TRIVIAL_QUERY],
      [state, STATE_QUERY],
    ] as const) {
      const r = await load(url, query);
      target.count += r.latencies.length;
      target.seconds += r.latencies.length / r.perSecond;
      target.latencies.push(...r.latencies);
    }
    ctx.progress(`query round ${round + 1}: ${Math.round(state.count / state.seconds)} state/s`);
  }
  const statePerSecond = state.count / state.seconds;
  const trivialPerSecond = trivial.count / trivial.seconds;
  return [
    compared('api.state_query.throughput', statePerSecond, 'req/s', trivialPerSecond),
    compared('api.state_query.p99', percentile(state.latencies, 99), 'ms', percentile(trivial.latencies, 99)),
  ];
}

/** Waits until `received()` reaches `count`, or fails after `ms`. */
async function until(received: () => number, count: number, ms: number, what: string) {
  const deadline = nowMs() + ms;
  while (received() < count) {
    if (nowMs() > deadline) throw new Error(`${what}: ${received()} of ${count} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Latency from sending an append until each of SUBSCRIBERS graphql-ws subscribers has it, over
 * FANOUT_ROUNDS appends; `publish(round)` sends one and `connect(onMessage)` opens the subscribers.
 */
async function fanout(
  label: string,
  connect: (onArrival: (round: number) => void) => Promise<() => Promise<void>>,
  publish: (round: number) => Promise<void>,
  ctx: BenchContext,
): Promise<number[]> {
  const arrivals = new Map<number, number[]>();
  const sent = new Map<number, number>();
  const disconnect = await connect((round) => {
    const at = nowMs();
    const list = arrivals.get(round) ?? [];
    list.push(at - (sent.get(round) ?? at));
    arrivals.set(round, list);
  });
  try {
    // Round 0 is a warm-up that also proves every subscriber is live.
    for (let round = 0; round <= FANOUT_ROUNDS; round++) {
      sent.set(round, nowMs());
      await publish(round);
      await until(() => arrivals.get(round)?.length ?? 0, SUBSCRIBERS, 30_000, `${label} round ${round}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await disconnect();
  }
  ctx.progress(`${label}: ${FANOUT_ROUNDS} rounds to ${SUBSCRIBERS} subscribers`);
  return Array.from({ length: FANOUT_ROUNDS }, (_, i) => arrivals.get(i + 1) ?? []).flat();
}

async function subscriptionFigures(apiUrl: string, token: string, repoRoot: string, ctx: BenchContext) {
  await post(apiUrl, 'mutation { createSystem(input: { name: "fanout" }) { name } }', {}, token);
  const { systems } = (await post(apiUrl, '{ systems { eventCount } }')) as {
    systems: { eventCount: number }[];
  };
  const head = systems.reduce((sum, s) => sum + s.eventCount, 0);

  const api = await fanout(
    'graphql-ws',
    async (onArrival) => {
      const clients: Client[] = [];
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const client = createClient({
          url: apiUrl.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          retryAttempts: 0,
        });
        client.subscribe<{ eventAppended: { pid: number | null } }>(
          { query: `subscription { eventAppended(system: "fanout", after: ${head}) { pid } }` },
          {
            next: ({ data }) => {
              // The round is in the pid, known before the mutation even answers.
              const pid = data?.eventAppended.pid;
              if (typeof pid === 'number') onArrival(pid - 10_000);
            },
            error: (error) => ctx.progress(`subscriber error: ${JSON.stringify(error)}`),
            complete: () => {},
          },
        );
        clients.push(client);
        if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
      }
      return async () => {
        await Promise.all(clients.map((c) => c.dispose()));
      };
    },
    async (round) => {
      await post(
        apiUrl,
        'mutation($pid: Int!) { recordEvents(system: "fanout", events: [{ type: ProcessCreated, pid: $pid }]) { version } }',
        { pid: 10_000 + round },
        token,
      );
    },
    ctx,
  );

  const broadcast = await startChild(['--input-type=module', '-e', RAW_BROADCAST], {}, repoRoot);
  let raw: number[];
  try {
    raw = await fanout(
      'raw ws',
      async (onArrival) => {
        const sockets: WebSocket[] = [];
        for (let i = 0; i < SUBSCRIBERS; i++) {
          const socket = new WebSocket(broadcast.url.replace(/^http/, 'ws'));
          socket.on('message', (data) => onArrival(Number(data.toString())));
          sockets.push(socket);
          await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        }
        return async () => {
          for (const s of sockets) s.close();
        };
      },
      async (round) => {
        await fetch(broadcast.url, { method: 'POST', body: String(round) });
      },
      ctx,
    );
  } finally {
    await broadcast.stop();
  }
  return [
    compared(`api.subscription_fanout_${SUBSCRIBERS}.p99`, percentile(api, 99), 'ms', percentile(raw, 99)),
    compared(`api.subscription_fanout_${SUBSCRIBERS}.p50`, percentile(api, 50), 'ms', percentile(raw, 50)),
  ];
}

/**
 * The GraphQL API as its own process on Postgres, loaded from this process over loopback: the
 * state query against `{ __typename }` on the same server, and one append fanned out to 1,000
 * graphql-ws subscribers against a bare `ws` broadcast.
 */
export const apiGraphqlScenario: Scenario = {
  name: 'api-graphql',
  async run(ctx) {
    const database = await createBenchDatabase('api');
    const store = await openEventStore({ databaseUrl: database.url });
    const { token } = await store.apiKeys.create('bench', 'writer');
    await store.close();
    const api = await startChild(
      [path.join(ctx.repoRoot, 'apps/api/dist/main.js')],
      { DATABASE_URL: database.url, API_PORT: '0', READS_REQUIRE_KEY: 'false' },
      ctx.repoRoot,
    );
    try {
      const history = await readFile(path.join(ctx.repoRoot, 'samples/worked-example.jsonl'), 'utf8');
      await post(
        api.url,
        'mutation($h: String!) { importHistory(system: "worked-example", history: $h) { version } }',
        { h: history },
        token,
      );
      ctx.progress(`API at ${api.url}; ${CONCURRENCY} clients, ${PHASE_MS} ms phases`);
      const queries = await queryFigures(api.url, ctx);
      const fan = await subscriptionFigures(api.url, token, ctx.repoRoot, ctx);
      return [...queries, ...fan];
    } finally {
      await api.stop();
      await database.drop();
    }
  },
};
