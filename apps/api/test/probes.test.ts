import { createTestDatabase, postgresAvailable, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess } from './support/processes.js';

/**
 * The probes and metrics an orchestrator and Prometheus read, from the API process as users run
 * it: /livez (the process answers), /readyz (database reachable, migrations applied, not
 * stopping), Node's default metrics under their standard names.
 */
describe.skipIf(!(await postgresAvailable('the API tests')))('probes and metrics', () => {
  let db: TestDatabase;
  let api: Awaited<ReturnType<typeof startApiProcess>>;
  const at = (route: string) => new URL(route, api.url);

  beforeAll(async () => {
    db = await createTestDatabase('api');
    api = await startApiProcess(db.url);
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('/livez and /readyz answer 200 on a migrated, reachable database', async () => {
    const live = await fetch(at('/livez'));
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(at('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      database: { up: true },
      migrations: { pending: [] },
    });
  });

  it("serves Node's default metrics as process_* and nodejs_*, with no pasid_api_ prefix", async () => {
    const text = await (await fetch(at('/metrics'))).text();
    const names = new Set(
      text.split('\n').flatMap((l) => (l.startsWith('# TYPE ') ? [l.split(' ')[2]] : [])),
    );
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(text).not.toMatch(/pasid_api_/);
    expect(names).toContain('pasid_events_recorded_total');
  });

  it('/readyz answers 503 naming a migration the database lacks, while /livez stays 200', async () => {
    const [last] = await sql<{ name: string }>(
      db.url,
      'SELECT name FROM schema_migrations ORDER BY name DESC LIMIT 1',
    );
    await sql(db.url, 'DELETE FROM schema_migrations WHERE name = $1', [last!.name]);
    const ready = await fetch(at('/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      database: { up: true },
      migrations: { pending: [last!.name] },
    });
    expect((await fetch(at('/livez'))).status).toBe(200);
  });
});
