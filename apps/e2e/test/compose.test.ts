import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createTestDatabase, postgresAvailable, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposePlan, planCompose } from './support/compose.js';
import { graphql, REPO_ROOT, type RunningProcess, run } from './support/processes.js';
import { subscribe } from './support/subscriber.js';

/**
 * docker-compose.yml, without Docker: every service's command and environment run as plain
 * processes (rules in support/compose.ts) on a fresh Postgres database, and the product is
 * checked through the gateway's front address.
 */
const hasPostgres = await postgresAvailable('the production checks');

describe.skipIf(!hasPostgres)('docker-compose.yml as plain processes', () => {
  let db: TestDatabase;
  let plan: ComposePlan;
  const running = new Map<string, RunningProcess>();
  const exits = new Map<string, { code: number | null }>();

  const portOf = (name: string) => {
    const port = plan.services.find((s) => s.name === name)?.port;
    if (!port) throw new Error(`no port for ${name}`);
    return port;
  };
  const front = () => `http://127.0.0.1:${portOf('gateway')}`;
  const webKey = async () => {
    const file = path.join(plan.volumes.webkey!, 'web-api-key');
    return (await readFile(file, 'utf8')).trim();
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
        env: { ...process.env, ...service.env, LOG_LEVEL: 'warn' },
      });
      running.set(service.name, child);
      if (service.port === undefined) {
        const { code } = await child.exited;
        exits.set(service.name, { code });
        if (code !== 0) throw new Error(`${service.name} exited with ${code}:\n${child.output()}`);
      }
    }
    await running.get('gateway')!.waitFor(/listening on/);
    await running.get('web')!.waitFor(/Ready in|✓ Ready/, 120_000);
  });

  afterAll(async () => {
    // The front first, the database last: the order compose stops them in.
    for (const name of ['gateway', 'web', 'api-1', 'api-2']) await running.get(name)?.stop();
    await db?.drop();
    for (const folder of Object.values(plan?.volumes ?? {}))
      await rm(folder, { recursive: true, force: true });
  });

  it('has the services the deployment needs', () => {
    expect(plan.replaced).toEqual(['postgres']);
    expect(plan.services.map((s) => s.name)).toEqual(['migrate', 'api-1', 'api-2', 'gateway', 'web']);
    expect(exits.get('migrate')).toEqual({ code: 0 });
  });

  it('answers a GraphQL query at the front address, from both replicas in turn', async () => {
    const upstreams = new Set<string | null>();
    for (let i = 0; i < 4; i++) {
      const { data, headers } = await graphql<{ systems: unknown[] }>(
        `${front()}/graphql`,
        '{ systems { name } }',
      );
      expect(Array.isArray(data.systems)).toBe(true);
      upstreams.add(headers.get('x-pasid-upstream'));
    }
    expect([...upstreams].sort()).toEqual(['0', '1']);
  });

  it('shows a write made on one replica to a subscriber on the other, and through the front', async () => {
    const key = await webKey();
    const api1 = `127.0.0.1:${portOf('api-1')}`;
    const api2 = `127.0.0.1:${portOf('api-2')}`;
    await graphql(
      `http://${api1}/graphql`,
      'mutation { createSystem(input: {name: "compose-demo", policy: LAZY_REFCOUNT}) { name } }',
      {},
      key,
    );
    const query = 'subscription { eventAppended(system: "compose-demo") { position version type } }';
    type Appended = { eventAppended: { position: number; version: number; type: string } };
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
  });

  it('serves health and metrics of the replicas at the front address', async () => {
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
    expect(viaFront.status).toBe(200);
    expect(await viaFront.text()).toContain('pasid_append_duration_seconds_bucket');
  });

  it('stops every service cleanly on SIGTERM', async () => {
    // Next.js closes its server and exits 143 (128 + SIGTERM) by design; the others exit 0.
    const clean: Record<string, number> = { gateway: 0, web: 143, 'api-1': 0, 'api-2': 0 };
    for (const [name, code] of Object.entries(clean)) {
      const result = await running.get(name)!.stop();
      expect({ name, ...result }).toEqual({ name, code, signal: null });
    }
  });
});
