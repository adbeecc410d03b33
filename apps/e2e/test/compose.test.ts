import { execFile, spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresAvailable, productEnv, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposePlan, planCompose } from './support/compose.js';
import { graphql, REPO_ROOT, type RunningProcess, run } from './support/processes.js';
import { subscribe } from './support/subscriber.js';

/**
 * docker-compose.yml, without Docker: every service's command and environment run as plain
 * processes (rules in support/compose.ts) on a fresh Postgres database, with the proxy's own
 * configuration file run by Debian's haproxy, and the product is checked through the front
 * address.
 */
const hasPostgres = await postgresAvailable('the production checks');
/** Debian's haproxy runs the proxy's configuration; under CI its absence fails, never skips. */
const hasHaproxy = (() => {
  if (spawnSync('haproxy', ['-v']).status === 0) return true;
  if (process.env.CI) throw new Error('CI needs haproxy (apt-get install -y haproxy)');
  console.warn('skipping the compose test: no haproxy (apt-get install -y haproxy)');
  return false;
})();

describe.skipIf(!hasPostgres || !hasHaproxy)('docker-compose.yml as plain processes', () => {
  let db: TestDatabase;
  let plan: ComposePlan;
  const running = new Map<string, RunningProcess>();
  const exits = new Map<string, { code: number | null }>();

  const portOf = (name: string) => {
    const port = plan.services.find((s) => s.name === name)?.port;
    if (!port) throw new Error(`no port for ${name}`);
    return port;
  };
  const front = () => `http://127.0.0.1:${portOf('proxy')}`;
  /**
   * A writer's key, made as an operator makes one for a person: the API image's key command
   * (docker compose run --rm migrate node apps/api/dist/keys.js create NAME --role writer).
   */
  const writerKey = async (name: string) => {
    const migrate = plan.services.find((s) => s.name === 'migrate')!;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['apps/api/dist/keys.js', 'create', name, '--role', 'writer'],
      { cwd: REPO_ROOT, env: productEnv({ NODE_ENV: 'production', ...migrate.env }) as NodeJS.ProcessEnv },
    );
    return stdout.trim();
  };

  async function healthy(name: string): Promise<void> {
    const check = plan.services.find((s) => s.name === name)?.healthcheck;
    if (!check) throw new Error(`${name} has no healthcheck`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const probe = run(`${name} healthcheck`, check.command, check.args, {
        cwd: REPO_ROOT,
        env: process.env,
      });
      if ((await probe.exited).code === 0) return;
      if (Date.now() > deadline)
        throw new Error(`${name} never became healthy:\n${running.get(name)?.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    plan = await planCompose(await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), db.url);
    for (const service of plan.services) {
      for (const dep of service.dependsOn) {
        if (plan.replaced.includes(dep.service)) continue;
        if (dep.condition === 'service_completed_successfully') {
          expect(exits.get(dep.service), `${dep.service} before ${service.name}`).toEqual({ code: 0 });
        } else if (dep.condition === 'service_healthy') {
          await healthy(dep.service);
        }
      }
      const child = run(service.name, service.command, service.args, {
        cwd: REPO_ROOT,
        // The image's environment (NODE_ENV=production), not vitest's.
        env: productEnv({ NODE_ENV: 'production', LOG_LEVEL: 'warn', ...service.env }),
      });
      running.set(service.name, child);
      if (service.port === undefined) {
        const { code } = await child.exited;
        exits.set(service.name, { code });
        if (code !== 0) throw new Error(`${service.name} exited with ${code}:\n${child.output()}`);
      }
    }
    await running.get('web')!.waitFor(/Ready in|✓ Ready/, 120_000);
    // The proxy is up once its checks have put both replicas in service.
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${front()}/health`).catch(() => null))?.status !== 200) {
      if (Date.now() > deadline)
        throw new Error(`the proxy never answered:\n${running.get('proxy')?.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    // The front first, the database last: the order compose stops them in.
    for (const name of ['proxy', 'web', 'api-1', 'api-2']) await running.get(name)?.stop();
    await db?.drop();
    for (const folder of Object.values(plan?.volumes ?? {}))
      await rm(folder, { recursive: true, force: true });
  });

  it('has the services the deployment needs', () => {
    expect(plan.replaced).toEqual(['postgres']);
    expect(plan.services.map((s) => s.name)).toEqual(['migrate', 'api-1', 'api-2', 'web', 'proxy']);
    // The proxy runs the repository's configuration file, as the image mounts it.
    const proxy = plan.services.find((s) => s.name === 'proxy')!;
    expect(path.basename(proxy.command)).toBe('haproxy');
    expect(proxy.args).toEqual(['-f', path.join(REPO_ROOT, 'docker/haproxy.cfg')]);
    expect(exits.get('migrate')).toEqual({ code: 0 });
  });

  it('answers GraphQL at the front address from both replicas, and logs each request', async () => {
    const proxy = running.get('proxy')!;
    const logFrom = proxy.output().length;
    for (let i = 0; i < 6; i++) {
      const { data, headers } = await graphql<{ systems: unknown[] }>(
        `${front()}/graphql`,
        'query FrontCheck { systems { name } }',
      );
      expect(Array.isArray(data.systems)).toBe(true);
      // The home-made gateway's header is gone.
      expect(headers.get('x-pasid-upstream')).toBeNull();
    }
    // HAProxy's access log (option httplog) on stdout names the replica of each request.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logged = proxy
      .output()
      .slice(logFrom)
      .split('\n')
      .filter((line) => / 200 .*"POST \/graphql HTTP\/1\.1"/.test(line));
    expect(logged).toHaveLength(6);
    const replicas = new Set(logged.map((line) => / api\/(api-[12]) /.exec(line)?.[1]));
    expect([...replicas].sort()).toEqual(['api-1', 'api-2']);
  });

  it('shows a write made on one replica to a subscriber on the other, and through the front', async () => {
    const key = await writerKey('compose-tracer');
    const api1 = `127.0.0.1:${portOf('api-1')}`;
    const api2 = `127.0.0.1:${portOf('api-2')}`;
    await graphql(
      `http://${api1}/graphql`,
      'mutation { createSystem(input: {name: "compose-demo", policy: LAZY_REFCOUNT}) { name } }',
      {},
      key,
    );
    const query = 'subscription { eventAppended(system: "compose-demo") { position version type } }';
    type Appended = { eventAppended: { position: string; version: number; type: string } };
    const onReplica1 = await subscribe<Appended>(`ws://${api1}/graphql`, query);
    const onFront = await subscribe<Appended>(`${front().replace('http', 'ws')}/graphql`, query);
    try {
      await graphql(
        `http://${api2}/graphql`,
        'mutation { recordEvents(system: "compose-demo", expectedVersion: 0, events: [{type: ProcessCreated, pid: 100}]) { version } }',
        {},
        key,
      );
      await graphql(
        `${front()}/graphql`,
        'mutation { recordEvents(system: "compose-demo", expectedVersion: 1, events: [{type: DeviceBound, pid: 100, device: "0000:6a:01.0"}]) { version } }',
        {},
        key,
      );
      // Every stored event, input and derived, reaches both subscribers, in order.
      const { data } = await graphql<{ system: { eventCount: number } }>(
        `${front()}/graphql`,
        '{ system(name: "compose-demo") { eventCount } }',
      );
      const seen1 = (await onReplica1.next(data.system.eventCount)).map((r) => r.eventAppended);
      const seenFront = (await onFront.next(data.system.eventCount)).map((r) => r.eventAppended);
      expect(
        seen1
          .filter((e) => ['ProcessCreated', 'DeviceBound'].includes(e.type))
          .map((e) => [e.version, e.type]),
      ).toEqual([
        [1, 'ProcessCreated'],
        [2, 'DeviceBound'],
      ]);
      expect(seenFront).toEqual(seen1);
    } finally {
      await onReplica1.close();
      await onFront.close();
    }
    // Both writes are in the one database, in order, whichever replica took them.
    const rows = await sql<{ version: number; type: string }>(
      db.url,
      "SELECT version, type FROM events WHERE system = 'compose-demo' AND kind = 'input' ORDER BY position",
    );
    expect(rows.map((r) => r.type)).toEqual(['ProcessCreated', 'DeviceBound']);
  });

  it('serves the web app at the front address, showing what the API holds', async () => {
    const response = await fetch(`${front()}/`);
    expect(response.status, running.get('web')?.output()).toBe(200);
    const html = await response.text();
    expect(html).toContain('compose-demo');
    // The web app has no key of its own: a visitor who has not signed in cannot write.
    expect(html).toContain('Sign in to write');
  });

  it('serves health at the front address; metrics only on the replicas', async () => {
    const health = await fetch(`${front()}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    // Each replica counts what it recorded; between them, both writes of the test above.
    let inputs = 0;
    for (const name of ['api-1', 'api-2']) {
      const text = await (await fetch(`http://127.0.0.1:${portOf(name)}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('pasid_events_recorded_total{kind="input"}'));
      inputs += line ? Number(line.split(' ').at(-1)) : 0;
      expect(text).toMatch(/^pasid_live_subscriptions 0$/m);
    }
    expect(inputs).toBe(2);
    const viaFront = await fetch(`${front()}/metrics`);
    expect(viaFront.status).toBe(404);
    expect(await viaFront.text()).not.toContain('pasid_');
  });

  it('serves the explorer and its assets through the front', async () => {
    const page = await fetch(`${front()}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/graphql/assets/graphiql.min.js');
    expect((await fetch(`${front()}/graphql/assets/graphiql.min.js`)).status).toBe(200);
  });

  it('loses no request once the proxy has marked a killed replica down', async () => {
    const results: { start: number; ok: boolean }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const start = Date.now();
        try {
          const response = await fetch(`${front()}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ systems { name } }' }),
          });
          const body = (await response.json()) as { errors?: unknown[] };
          results.push({ start, ok: response.status === 200 && !body.errors });
        } catch {
          results.push({ start, ok: false });
        }
      }
    };
    const load = Array.from({ length: 4 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    running.get('api-2')!.child.kill('SIGKILL');
    await running.get('proxy')!.waitFor(/Server api\/api-2 is DOWN/, 20_000);
    const downAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    stop = true;
    await Promise.all(load);
    const afterDown = results.filter((r) => r.start >= downAt);
    const before = results.filter((r) => r.start < downAt);
    console.info(
      `replica killed under load: ${before.filter((r) => !r.ok).length} of ${before.length} failed before the proxy marked it down, ${afterDown.filter((r) => !r.ok).length} of ${afterDown.length} after`,
    );
    expect(before.length).toBeGreaterThan(10);
    expect(afterDown.length).toBeGreaterThan(10);
    expect(afterDown.filter((r) => !r.ok)).toEqual([]);
  });

  it('stops every service cleanly on SIGTERM', async () => {
    // Next.js closes its server and exits 143 (128 + SIGTERM) by design; the others exit 0.
    // The haproxy image stops with SIGUSR1 (its STOPSIGNAL: finish the open requests, then exit 0).
    const proxy = running.get('proxy')!;
    proxy.child.kill('SIGUSR1');
    expect(await proxy.exited).toEqual({ code: 0, signal: null });
    // api-2 was killed above.
    const clean: Record<string, number> = { web: 143, 'api-1': 0 };
    for (const [name, code] of Object.entries(clean)) {
      const result = await running.get(name)!.stop();
      expect({ name, ...result }).toEqual({ name, code, signal: null });
    }
  });
});
