import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type InputEvent,
} from '@pasid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  type Database,
  type ImportOptions,
  type PgEventStore,
  type Position,
} from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

const POLICY = 'LAZY_REFCOUNT';
/** More than two COPYs of the bulk path (20,000 events), so the import is paused between them. */
const EVENTS = 45_000;

function history(system: string, count: number, seed: number): string {
  const lines = [formatHistoryHeader({ system, policy: POLICY, maxPasid: DEFAULT_MAX_PASID })];
  for (const e of generateHistory({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID, seed })) {
    lines.push(formatHistoryEvent(e as InputEvent));
    if (lines.length > count) break;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The text in 64 KiB chunks; after the chunk that completes the first COPY (the first progress
 * report) it waits for `atPause` before going on, as a slow source would.
 */
function pausingSource(text: string, atPause: () => Promise<void>) {
  let reported = false;
  return {
    onProgress: () => {
      reported = true;
    },
    async *chunks(): AsyncGenerator<Uint8Array> {
      const bytes = Buffer.from(text);
      let paused = false;
      for (let at = 0; at < bytes.length; at += 1 << 16) {
        if (reported && !paused) {
          paused = true;
          await atPause();
        }
        yield bytes.subarray(at, at + (1 << 16));
      }
      expect(paused).toBe(true);
    },
  };
}

/** Every position of the log once, from 1 to the head, as readAll pages it. */
async function expectGapFree(store: PgEventStore, db: Database) {
  const head = await store.headPosition();
  const rows = await db.query<{ n: number | string; low: string | null; high: string | null }>(
    'SELECT count(*) AS n, min(position)::text AS low, max(position)::text AS high FROM events',
  );
  expect(rows[0]).toEqual({ n: Number(head), low: '1', high: String(head) });
  let after: Position = 0n;
  let seen = 0n;
  for (;;) {
    const page = await store.readAll({ after, limit: 5_000 });
    if (page.length === 0) break;
    for (const e of page) {
      seen += 1n;
      expect(e.position).toBe(seen);
    }
    after = (page.at(-1) as { position: Position }).position;
  }
  expect(seen).toBe(head);
  expect((await store.verify()).breaches).toEqual([]);
}

/** The positions of `system`'s events: one block, from its first to its last. */
async function blockOf(db: Database, system: string) {
  const [row] = await db.query<{ n: number | string; low: string; high: string }>(
    'SELECT count(*) AS n, min(position)::text AS low, max(position)::text AS high FROM events WHERE system = $1',
    [system],
  );
  const low = BigInt(row?.low ?? 0);
  const high = BigInt(row?.high ?? 0);
  expect(BigInt(row?.n ?? 0)).toBe(high - low + 1n);
  return { low, high };
}

const modes: NonNullable<ImportOptions['bulk']>[] = ['direct', 'staged'];

for (const backend of BACKENDS) {
  describe(`an import beside other writers on ${backend.name}`, async () => {
    const skip = backend.name === 'postgres' && !(await postgresAvailable());
    let store: PgEventStore;
    let db: Database;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      if (skip) return;
      ({ store, db, dispose } = await backend.open());
      await store.createSystem({ name: 'live', policy: POLICY }, 't');
    });
    afterAll(async () => {
      if (!skip) await dispose();
    });

    // PGlite has one session: every import there is direct, the other writers wait for it.
    for (const bulk of backend.name === 'postgres' ? modes : (['direct'] as const)) {
      it.skipIf(skip)(
        `${bulk}: appends during the import land before or after its events, never among them; the log stays gap-free and chained`,
        async () => {
          const system = `bulk-${bulk}`;
          let pid = 1_000 + (bulk === 'direct' ? 0 : 500_000);
          const append = async () => {
            pid += 1;
            const result = await store.appendToStream('live', [{ type: 'ProcessCreated', pid }], {
              actor: 't',
            });
            return (result.events.at(-1) as { position: Position }).position;
          };
          // Paused with the first COPY sent: in direct mode the log head is locked from there, so
          // an append started then commits after the import; staged, it commits at once, before.
          let during: Promise<Position> | undefined;
          const source = pausingSource(history(system, EVENTS, bulk === 'direct' ? 31 : 32), async () => {
            // Direct, it waits (on PGlite, for the one session the import's transaction holds).
            during = append();
            if (bulk === 'staged') await during;
          });
          // Other writers the whole time, each append waiting for the last.
          let importing = true;
          const writer = (async () => {
            const positions: Position[] = [];
            while (importing) positions.push(await append());
            return positions;
          })();
          const imported = store.importHistory(source.chunks(), {
            actor: 'importer',
            bulk,
            onProgress: source.onProgress,
          });
          const result = await imported.finally(() => {
            importing = false;
          });
          const positions = await writer;
          expect(result.version).toBe(EVENTS);
          expect(during).toBeDefined();
          const pausedAppend = await (during as Promise<Position>);

          const block = await blockOf(db, system);
          expect(block.high).toBe(result.lastPosition);
          if (bulk === 'direct') expect(pausedAppend).toBeGreaterThan(block.high);
          else expect(pausedAppend).toBeLessThan(block.low);
          for (const p of [...positions, pausedAppend]) {
            expect(p < block.low || p > block.high, `append at ${p}`).toBe(true);
          }
          // Each document is stored as the canonical text its hash covers, in either mode.
          const texts = await db.query<{ text: string; data: unknown }>(
            'SELECT data::text AS text, data FROM events WHERE system = $1 ORDER BY position LIMIT 500',
            [system],
          );
          expect(texts.length).toBe(500);
          for (const row of texts) expect(row.text).toBe(canonicalJson(row.data));
          await expectGapFree(store, db);
        },
        240_000,
      );
    }
  });
}
