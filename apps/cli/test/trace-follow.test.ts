import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEventStore } from '@pasid/store';
import {
  createTestDatabase,
  freePort,
  postgresAvailable,
  productEnv,
  sql,
  type TestDatabase,
} from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../bin/pasid.js');
const apiMain = path.resolve(here, '../../api/dist/main.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'pasid-follow-'));
const usable = await postgresAvailable('the pasid trace --follow tests');

/** A tracefs capture of `n` processes, each with a thread: 4 lifecycle events a process. */
function traceLines(from: number, n: number): string[] {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) {
    const pid = 10_000 + i * 2;
    const ts = (t: number) => (100 + i * 0.001 + t * 0.0001).toFixed(6);
    out.push(
      `            bash-500     (    500) [000] .....   ${ts(0)}: task_newtask: pid=${pid} comm=bash clone_flags=1200011 oom_score_adj=0`,
      `             app-${pid}   ( ${pid}) [001] .....   ${ts(1)}: task_newtask: pid=${pid + 1} comm=app clone_flags=3d0f00 oom_score_adj=0`,
      `             app-${pid + 1}   ( ${pid}) [001] .....   ${ts(2)}: sched_process_exit: comm=app pid=${pid + 1} prio=120 group_dead=false`,
      `             app-${pid}   ( ${pid}) [000] .....   ${ts(3)}: sched_process_exit: comm=app pid=${pid} prio=120 group_dead=true`,
    );
  }
  return out;
}

interface Api {
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function startApi(databaseUrl: string, port: number): Promise<Api> {
  const child = spawn(process.execPath, [apiMain], {
    env: productEnv({ API_PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited with ${code}:\n${output}`)));
  });
  return {
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

function follow(file: string, url: string, key: string): { child: ChildProcess; stderr: () => string } {
  const child = spawn(
    process.execPath,
    [bin, 'trace', '--follow', file, '--api', url, '--key', key, '--system', 'live-node', '--batch', '25'],
    { env: productEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return { child, stderr: () => stderr };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function inputsStored(url: string): Promise<{ id: string; version: number }[]> {
  return sql<{ id: string; version: number }>(
    url,
    "SELECT id::text AS id, version FROM events WHERE system = 'live-node' AND kind = 'input' ORDER BY position",
  );
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(usable)('pasid trace --follow into a real API', () => {
  let database: TestDatabase;
  let key: string;
  beforeAll(async () => {
    database = await createTestDatabase('trace_follow');
    const store = await openEventStore({ databaseUrl: database.url });
    key = (await store.apiKeys.create('tracer', 'writer')).token;
    await store.close();
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('kill -9 of the follower, then of the API, mid-stream: every event stored once, in order', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    let api = await startApi(database.url, port);
    const file = path.join(tmp, 'trace.txt');
    writeFileSync(file, '# tracer: nop\n');
    const total = 300; // processes: 1200 events
    let written = 0;
    const writeMore = (n: number) => {
      appendFileSync(file, `${traceLines(written, n).join('\n')}\n`);
      written += n;
    };
    try {
      writeMore(50);
      let follower = follow(file, url, key);
      await until('the first batches', async () => (await inputsStored(database.url)).length >= 100);
      writeMore(50);
      follower.child.kill('SIGKILL');
      await exited(follower.child);
      writeMore(50);
      follower = follow(file, url, key);
      await until(
        'the restarted follower to go on',
        async () => (await inputsStored(database.url)).length >= 450,
      );
      await api.stop('SIGKILL');
      writeMore(75); // written while the API is down
      await new Promise((r) => setTimeout(r, 1500));
      expect(follower.stderr()).toMatch(/waiting for the API/);
      api = await startApi(database.url, port);
      writeMore(total - written);
      await until('every event', async () => (await inputsStored(database.url)).length >= total * 4);
      await new Promise((r) => setTimeout(r, 500)); // nothing more may come
      follower.child.kill('SIGTERM');
      expect(await exited(follower.child)).toBe(0);
      expect(follower.stderr()).toMatch(/events recorded \(system at version 1200\)/);

      // What the same trace gives offline: the ids, in order.
      const offline = spawnSync(process.execPath, [bin, 'trace', file], { encoding: 'utf8' });
      const expected = offline.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => (JSON.parse(l) as { id: string }).id);
      expect(expected).toHaveLength(total * 4);
      const stored = await inputsStored(database.url);
      expect(stored.map((s) => s.id)).toEqual(expected);
      expect(stored.map((s) => s.version)).toEqual(expected.map((_, i) => i + 1));
    } finally {
      await api.stop();
    }
  });

  it('a restart after everything was stored records nothing twice', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const api = await startApi(database.url, port);
    try {
      const before = (await inputsStored(database.url)).length;
      const follower = follow(path.join(tmp, 'trace.txt'), url, key);
      await new Promise((r) => setTimeout(r, 2500));
      follower.child.kill('SIGTERM');
      expect(await exited(follower.child)).toBe(0);
      expect((await inputsStored(database.url)).length).toBe(before);
      expect(follower.stderr()).toMatch(/0 events recorded/);
    } finally {
      await api.stop();
    }
  });

  it('refuses without --api, --key or --system, naming what is missing', () => {
    const run = spawnSync(process.execPath, [bin, 'trace', '--follow', path.join(tmp, 'trace.txt')], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--follow needs --api URL');
    expect(readFileSync(path.join(tmp, 'trace.txt'), 'utf8').length).toBeGreaterThan(0);
  });
});
