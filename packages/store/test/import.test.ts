import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type InputEvent,
  Replayer,
  toStateDocument,
} from '@pasid/domain';
import { setLogHead } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalJson,
  type Database,
  HistoryImportError,
  type ImportProgress,
  type PgEventStore,
} from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

const POLICY = 'LAZY_REFCOUNT';
/** More than one COPY of the bulk path (20,000 events), so its steps all run. */
const EVENTS = 30_000;

function historyOf(system: string, inputs: readonly InputEvent[]): string {
  const header = formatHistoryHeader({ system, policy: POLICY, maxPasid: DEFAULT_MAX_PASID });
  return `${[header, ...inputs.map(formatHistoryEvent)].join('\n')}\n`;
}

function generated(count: number, seed: number): InputEvent[] {
  const out: InputEvent[] = [];
  for (const e of generateHistory({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID, seed })) {
    out.push(e);
    if (out.length === count) break;
  }
  return out;
}

/** The text in 64 KiB chunks, as a file or a request body arrives. */
async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += 1 << 16) yield bytes.subarray(at, at + (1 << 16));
}

const scalar = async (db: Database, sql: string, params: unknown[] = []) =>
  Number((await db.query<{ n: number | string }>(sql, params))[0]?.n);

for (const backend of BACKENDS) {
  describe(`bulk import on ${backend.name}`, async () => {
    const skip = backend.name === 'postgres' && !(await postgresAvailable());
    let store: PgEventStore;
    let db: Database;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      if (skip) return;
      ({ store, db, dispose } = await backend.open());
    });
    afterAll(async () => {
      if (!skip) await dispose();
    });

    it.skipIf(skip)(
      'streams a history in through the domain: chained, ordered, projected, exported back identical',
      async () => {
        // Something already in the log, its head just below 2^53: the import's positions follow
        // it with no gap and cross 2^53 exactly (bigints, never floats).
        await setLogHead(db, 2n ** 53n - 1000n);
        await store.createSystem({ name: 'before', policy: POLICY }, 't');
        await store.appendToStream('before', [{ type: 'ProcessCreated', pid: 1 }], { actor: 't' });
        const head = await store.headPosition();
        const inputs = generated(EVENTS, 21);
        const text = historyOf('bulk', inputs);
        const seen: ImportProgress[] = [];
        const result = await store.importHistory(chunks(text), {
          actor: 'importer',
          onProgress: (p) => seen.push(p),
        });
        expect(result.version).toBe(EVENTS);

        const replayer = new Replayer({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID });
        const derived = inputs.reduce((n, e) => {
          const decision = replayer.apply(e);
          return n + (decision.ok ? decision.events.length : 0);
        }, 0);
        const info = await store.getSystem('bulk');
        expect(info).toMatchObject({ version: EVENTS, eventCount: EVENTS + derived, createdBy: 'importer' });
        expect(result.lastPosition).toBe(head + BigInt(EVENTS + derived));
        expect(info?.lastPosition).toBe(result.lastPosition);
        expect(await store.headPosition()).toBe(result.lastPosition);
        // Positions: gap-free after the head, in version order within the stream.
        const order = await db.query<{ position: string; version: number; index: number }>(
          `SELECT e.position::text AS position, e.version, e.index FROM events e WHERE e.system = 'bulk' ORDER BY e.position`,
        );
        expect(order[0]?.position).toBe(String(head + 1n));
        order.forEach((row, i) => {
          expect(row.position).toBe(String(head + 1n + BigInt(i)));
          const prev = order[i - 1];
          if (prev) expect(row.version * 1000 + row.index).toBeGreaterThan(prev.version * 1000 + prev.index);
        });
        // Each document is stored as the canonical text its hash covers, on both import paths.
        const texts = await db.query<{ text: string; data: unknown }>(
          "SELECT data::text AS text, data FROM events WHERE system = 'bulk' ORDER BY position LIMIT 500",
        );
        expect(texts.length).toBeGreaterThan(0);
        for (const row of texts) expect(row.text).toBe(canonicalJson(row.data));
        // The domain decided every input: state, projections, snapshots and hashes all agree.
        expect(await store.stateDocument('bulk')).toEqual(toStateDocument(replayer.state));
        expect((await store.rebuildProjections()).equal).toBe(true);
        const report = await store.verify();
        // The one finding is the hole the moved head left before the first event; the import's
        // chain and positions are intact.
        expect(report.breaches).toEqual([
          {
            system: 'before',
            position: head,
            version: 1,
            reason: `removed: positions 1..${head - 1n} are missing from the log`,
          },
        ]);
        const middle = Math.floor(EVENTS / 2) + 7;
        const at = new Replayer({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID });
        for (const e of inputs.slice(0, middle)) at.apply(e);
        expect(await store.stateDocument('bulk', { version: middle })).toEqual(toStateDocument(at.state));

        // Progress: more than one report, growing, the last one the whole file.
        expect(seen.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < seen.length; i++) {
          expect((seen[i] as ImportProgress).events).toBeGreaterThanOrEqual(
            (seen[i - 1] as ImportProgress).events,
          );
        }
        expect(seen.at(-1)).toEqual({
          lines: EVENTS + 1,
          inputs: EVENTS,
          events: EVENTS + derived,
          bytes: Buffer.byteLength(text),
        });

        let exported = '';
        for await (const line of store.exportHistory('bulk')) exported += line;
        expect(exported).toBe(text);
      },
      240_000,
    );

    it.skipIf(skip)(
      'refuses a bad line after the first copies by its number, and stores nothing',
      async () => {
        const counts = async () => ({
          head: await store.headPosition(),
          events: await scalar(db, 'SELECT count(*) AS n FROM events'),
          snapshots: await scalar(db, 'SELECT count(*) AS n FROM snapshots'),
          systems: await scalar(db, 'SELECT count(*) AS n FROM systems'),
        });
        const before = await counts();
        const lines = historyOf('broken', generated(EVENTS, 22)).split('\n');
        // Line 25,001 (the header is line 1): a rule violation the domain finds, not the parser.
        lines[25_000] = '{"type":"FileClosed","pid":424242,"fd":3}';
        const refused = store.importHistory(chunks(lines.join('\n')), { actor: 't' });
        await expect(refused).rejects.toBeInstanceOf(HistoryImportError);
        await expect(refused).rejects.toMatchObject({
          line: 25_001,
          message: expect.stringMatching(/^line 25001: /),
        });
        expect(await counts()).toEqual(before);
        expect(await store.getSystem('broken')).toBeNull();
      },
      240_000,
    );
  });
}

describe('snapshots grow linearly with the log', async () => {
  const skip = !(await postgresAvailable());
  let store: PgEventStore;
  let db: Database;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    if (skip) return;
    ({ store, db, dispose } = await (BACKENDS[0] as (typeof BACKENDS)[number]).open());
  });
  afterAll(async () => {
    if (!skip) await dispose();
  });

  it.skipIf(skip)(
    'stores a bounded number of snapshot bytes per event for a state that only grows, at two sizes',
    async () => {
      // Only ProcessCreated: the state grows with every event, the worst case for whole-state
      // snapshots (every 250 versions, 100,000 of these wrote 339 MB).
      const perEvent = async (system: string, count: number) => {
        const inputs: InputEvent[] = Array.from({ length: count }, (_, i) => ({
          type: 'ProcessCreated',
          pid: i + 1,
        }));
        await store.importHistory(chunks(historyOf(system, inputs)), { actor: 't' });
        const bytes = await scalar(
          db,
          'SELECT sum(octet_length(state::text)) AS n FROM snapshots WHERE system = $1',
          [system],
        );
        const events = (await store.getSystem(system))?.eventCount ?? 0;
        // Time travel still answers from the sparser snapshots.
        const version = Math.floor(count * 0.7) + 3;
        const state = await store.state(system, { version });
        expect(state.processes.size).toBe(version);
        return bytes / events;
      };
      const small = await perEvent('grow-20k', 20_000);
      const large = await perEvent('grow-80k', 80_000);
      // A whole state every 250 versions would be about count / 500 entities per event: 40 and 160.
      expect(small).toBeLessThan(300);
      expect(large).toBeLessThan(300);
      expect(large / small).toBeLessThan(1.5);
    },
    240_000,
  );
});
