import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, PgEventStore } from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

/** What a superuser can do despite the triggers: edit with them switched off. */
async function asSuperuser(db: Database, sql: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    await tx.exec(sql);
  });
}

for (const backend of BACKENDS) {
  describe(`verify on ${backend.name}`, async () => {
    const skip = backend.name === 'postgres' && !(await postgresAvailable());
    let store: PgEventStore;
    let db: Database;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      if (skip) return;
      ({ store, db, dispose } = await backend.open());
      for (const name of ['changed', 'deleted', 'reordered', 'tail', 'clean']) {
        await store.createSystem({ name, policy: 'MM_EXIT' }, 'test');
        await store.appendToStream(
          name,
          [
            { type: 'ProcessCreated', pid: 1 },
            { type: 'ProcessCreated', pid: 2 },
            { type: 'DeviceBound', pid: 1, device: '0000:6a:01.0' },
            { type: 'ProcessCreated', pid: 3 },
            { type: 'ProcessCreated', pid: 4 },
          ],
          { actor: 'test' },
        );
      }
    });
    afterAll(async () => {
      if (!skip) await dispose();
    });

    const positionOf = async (system: string, version: number, index = 0) =>
      BigInt(
        (
          await db.query<{ position: number }>(
            'SELECT position FROM events WHERE system = $1 AND version = $2 AND index = $3',
            [system, version, index],
          )
        )[0]?.position ?? 0,
      );

    it.skipIf(skip)('finds an edited snapshot, which the hash chain does not cover', async () => {
      await store.createSystem({ name: 'snap', policy: 'LAZY_REFCOUNT' }, 'test');
      await store.appendToStream(
        'snap',
        Array.from({ length: 250 }, (_, i) => ({ type: 'ProcessCreated' as const, pid: i + 1 })),
        { actor: 'test' },
      );
      const snapBreach = async () => (await store.verify()).breaches.find((b) => b.system === 'snap');
      expect(await snapBreach()).toBeUndefined();
      const [kept] = await db.query<{ state: unknown }>(
        "SELECT state FROM snapshots WHERE system = 'snap' AND version = 250",
      );
      // Snapshots have no trigger: no superuser needed. Drop one process from the stored state.
      await db.query(
        `UPDATE snapshots SET state = jsonb_set(state::jsonb, '{processes}', (state::jsonb->'processes') - 0)
         WHERE system = 'snap' AND version = 250`,
      );
      expect(await snapBreach()).toMatchObject({
        version: 250,
        reason: expect.stringMatching(/^changed: the snapshot/),
      });
      await db.query("UPDATE snapshots SET state = $1::jsonb WHERE system = 'snap' AND version = 250", [
        JSON.stringify(kept?.state),
      ]);
      expect(await snapBreach()).toBeUndefined();
    });

    it.skipIf(skip)('finds the first changed, removed and reordered event per stream', async () => {
      expect((await store.verify()).ok).toBe(true);
      const changed = await positionOf('changed', 3, 1);
      await asSuperuser(
        db,
        `UPDATE events SET data = jsonb_set(data::jsonb, '{pasid}', '7') WHERE position = ${changed}`,
      );
      const deleted = await positionOf('deleted', 2);
      await asSuperuser(db, `DELETE FROM events WHERE position = ${deleted}`);
      const [a, b] = [await positionOf('reordered', 4), await positionOf('reordered', 5)];
      await asSuperuser(
        db,
        `UPDATE events SET position = -1 WHERE position = ${a};
         UPDATE events SET position = ${a} WHERE position = ${b};
         UPDATE events SET position = ${b} WHERE position = -1`.replaceAll('\n', ' '),
      );
      const tail = await positionOf('tail', 5);
      await asSuperuser(db, `DELETE FROM events WHERE position = ${tail}`);

      const report = await store.verify();
      expect(report.ok).toBe(false);
      const bySystem = new Map(report.breaches.map((b) => [b.system, b]));
      expect(bySystem.get('changed')).toMatchObject({
        position: changed,
        reason: expect.stringMatching(/^changed/),
      });
      expect(bySystem.get('deleted')).toMatchObject({
        position: deleted + 1n,
        version: 3,
        reason: expect.stringMatching(/^removed/),
      });
      expect(bySystem.get('reordered')).toMatchObject({
        position: a,
        reason: expect.stringMatching(/^reordered/),
      });
      expect(bySystem.get('tail')?.reason).toMatch(/^removed/);
      expect(bySystem.has('clean')).toBe(false);
    });
  });
}
