import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventStore } from '../src/index.js';
import { createTestDatabase, postgresAvailable } from './support/databases.js';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.mjs', import.meta.url));
const BATCH = 200;

describe('a writer killed with SIGKILL mid-append', async () => {
  const skip = !(await postgresAvailable());
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it.skipIf(skip)('leaves every batch all there or absent', async () => {
    const database = await createTestDatabase('crash');
    cleanup.push(() => database.drop());
    const child = spawn(process.execPath, [WRITER, database.url, String(BATCH)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Kill it a little after its 5th commit, at an arbitrary point of a later append.
    await new Promise<void>((resolve, reject) => {
      let committed = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        committed += chunk
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('committed')).length;
        if (committed >= 5) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 7));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = await openEventStore({ databaseUrl: database.url });
    cleanup.push(() => store.close());
    const inputs = await store.db.query<{ correlation_id: string; n: number; lo: number; hi: number }>(
      `SELECT correlation_id, count(*)::int AS n, min(version) AS lo, max(version) AS hi
       FROM events WHERE kind = 'input' GROUP BY correlation_id ORDER BY lo`,
    );
    expect(inputs.length).toBeGreaterThanOrEqual(5);
    inputs.forEach((batch, i) => {
      expect(batch).toEqual({
        correlation_id: `batch-${i}`,
        n: BATCH,
        lo: i * BATCH + 1,
        hi: (i + 1) * BATCH,
      });
    });
    const system = await store.getSystem('crash');
    expect(system?.version).toBe(inputs.length * BATCH);
    expect((await store.verify()).ok).toBe(true);
    expect((await store.rebuildProjections()).equal).toBe(true);
  });
});
