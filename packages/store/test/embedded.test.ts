import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openEventStore } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pasid-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the embedded log in its data folder across restarts', { timeout: 90_000 }, async () => {
  const first = await openEventStore({ dataDir: dir });
  await first.createSystem({ name: 'kept', policy: 'MM_EXIT' }, 'test');
  const appended = await first.appendToStream('kept', [{ type: 'ProcessCreated', pid: 1 }], {
    actor: 'test',
  });
  const before = await first.stateDocument('kept');
  await first.close();

  const second = await openEventStore({ dataDir: dir });
  try {
    expect(await second.stateDocument('kept')).toEqual(before);
    expect((await second.readStream('kept')).map((e) => e.hash)).toEqual(appended.events.map((e) => e.hash));
    const next = await second.appendToStream('kept', [{ type: 'ProcessCreated', pid: 2 }], {
      actor: 'test',
      expectedVersion: 1,
    });
    expect(next.events[0]?.position).toBe(2n);
    expect((await second.verify()).ok).toBe(true);
  } finally {
    await second.close();
  }
});
