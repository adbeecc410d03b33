import {
  generateHistory,
  type InputEvent,
  type Policy,
  Replayer,
  type State,
  toStateDocument,
} from '@pasid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  canonicalJson,
  type Database,
  HistoryImportError,
  type PgEventStore,
  RejectedEventError,
  SNAPSHOT_INTERVAL,
  type StoredEvent,
} from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

const DEV = '0000:6a:01.0';
const take = (n: number, policy: Policy, seed: number, maxPasid = 1 << 20): InputEvent[] => {
  const out: InputEvent[] = [];
  for (const event of generateHistory({ policy, maxPasid, seed })) {
    out.push(event);
    if (out.length === n) break;
  }
  return out;
};
/** A domain hazard as `store.hazards` answers it (absent fields are null). */
const hazardRecord = (h: State['hazards'][number]) => ({
  event: h.event,
  code: h.code,
  tid: h.tid ?? null,
  pid: h.pid ?? null,
  device: h.device ?? null,
  pasid: h.pasid ?? null,
  reason: h.reason ?? null,
  observed: h.observed ?? null,
  explained: h.explained ?? null,
});
const count = async (db: Database, table: string) =>
  Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);

// One suite, both databases: the server and the embedded mode must behave the same.
for (const backend of BACKENDS) {
  describe(`event store on ${backend.name}`, async () => {
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

    it.skipIf(skip)('appends a batch with its derived events, in one global order', async () => {
      await store.createSystem({ name: 'order', policy: 'LAZY_REFCOUNT' }, 'test');
      const result = await store.appendToStream(
        'order',
        [
          { type: 'ProcessCreated', pid: 100 },
          { type: 'DeviceBound', pid: 100, device: DEV, at: '2026-11-24T08:00:00.000Z' },
        ],
        { actor: 'alice', expectedVersion: 0 },
      );
      expect(result.version).toBe(2);
      expect(result.events.map((e) => [e.version, e.index, e.kind, e.type])).toEqual([
        [1, 0, 'input', 'ProcessCreated'],
        [2, 0, 'input', 'DeviceBound'],
        [2, 1, 'derived', 'PasidAllocated'],
        [2, 2, 'derived', 'BondAdded'],
        [2, 3, 'derived', 'PasidEntryInstalled'],
      ]);
      const stored = await store.readStream('order');
      expect(stored.map(strip)).toEqual(result.events.map(strip));
      const positions = stored.map((e) => e.position);
      expect(positions).toEqual(positions.map((_, i) => (positions[0] ?? 0n) + BigInt(i)));
      const bind = stored[1] as StoredEvent;
      expect(bind.observedAt?.toISOString()).toBe('2026-11-24T08:00:00.000Z');
      expect(bind.actor).toBe('alice');
      expect(await store.derivedOf(bind.id)).toHaveLength(3);
      expect((await store.derivedOf(bind.id)).every((e) => e.causationId === bind.id)).toBe(true);
      expect(await store.derivedOf(stored[0]?.id ?? '')).toEqual([]);
      // The log keeps each document as the canonical text its hash covers (a json column).
      const texts = await db.query<{ text: string }>(
        "SELECT data::text AS text FROM events WHERE system = 'order' ORDER BY position",
      );
      expect(texts.map((r) => r.text)).toEqual(stored.map((e) => canonicalJson(e.data)));
      const info = await store.getSystem('order');
      expect(info).toMatchObject({ version: 2, eventCount: 5, livePasids: 1, hazardCount: 0 });
    });

    it.skipIf(skip)('rejects a bad batch naming index, field and reason, and stores nothing', async () => {
      await store.createSystem({ name: 'reject', policy: 'MM_EXIT' }, 'test');
      const before = await count(db, 'events');
      const rules = store.appendToStream(
        'reject',
        [
          { type: 'ProcessCreated', pid: 1 },
          { type: 'DeviceBound', pid: 2, device: DEV },
        ],
        { actor: 't' },
      );
      await expect(rules).rejects.toBeInstanceOf(RejectedEventError);
      await expect(rules).rejects.toMatchObject({
        eventIndex: 1,
        field: 'pid',
        rejectionCode: 'PROCESS_NOT_FOUND',
      });
      const shape = store.appendToStream(
        'reject',
        [
          { type: 'ProcessCreated', pid: 1 },
          { type: 'Enqcmd', tid: 1, device: 'nope' } as unknown as InputEvent,
        ],
        { actor: 't' },
      );
      await expect(shape).rejects.toMatchObject({ code: 'REJECTED', eventIndex: 1, field: 'device' });
      expect(await count(db, 'events')).toBe(before);
      expect(await store.getSystem('reject')).toMatchObject({ version: 0, eventCount: 0 });
      expect(await count(db, "hazards WHERE system = 'reject'")).toBe(0);
    });

    it.skipIf(skip)('refuses a stale expected version, naming both versions', async () => {
      await store.createSystem({ name: 'occ', policy: 'MM_EXIT' }, 'test');
      await store.appendToStream('occ', [{ type: 'ProcessCreated', pid: 1 }], {
        actor: 't',
        expectedVersion: 0,
      });
      const stale = store.appendToStream('occ', [{ type: 'ProcessCreated', pid: 2 }], {
        actor: 't',
        expectedVersion: 0,
      });
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toMatchObject({ expectedVersion: 0, actualVersion: 1, code: 'CONFLICT' });
      expect((await store.getSystem('occ'))?.version).toBe(1);
    });

    it.skipIf(skip)('returns the original result for a retried batch and stores nothing twice', async () => {
      await store.createSystem({ name: 'idem', policy: 'MM_EXIT' }, 'test');
      const batch: InputEvent[] = [
        { type: 'ProcessCreated', pid: 7, id: '0b7e7a43-5a0c-4b8e-9a57-0d2c8a5c1f01' },
        { type: 'DeviceBound', pid: 7, device: DEV, id: '0b7e7a43-5a0c-4b8e-9a57-0d2c8a5c1f02' },
      ];
      const first = await store.appendToStream('idem', batch, { actor: 't', expectedVersion: 0 });
      const before = await count(db, 'events');
      const retry = await store.appendToStream('idem', batch, { actor: 't', expectedVersion: 0 });
      expect(retry.idempotentReplay).toBe(true);
      expect(retry.events.map((e) => [e.id, e.position, e.hash])).toEqual(
        first.events.map((e) => [e.id, e.position, e.hash]),
      );
      expect(await count(db, 'events')).toBe(before);
      const half = store.appendToStream(
        'idem',
        [batch[0] as InputEvent, { type: 'ProcessCreated', pid: 8 }],
        {
          actor: 't',
        },
      );
      await expect(half).rejects.toMatchObject({ eventIndex: 0, field: 'id' });
      expect(await count(db, 'events')).toBe(before);
    });

    it.skipIf(skip)('commits concurrent appends together, each batch all or nothing', async () => {
      await store.createSystem({ name: 'group-a', policy: 'MM_EXIT' }, 'test');
      await store.createSystem({ name: 'group-b', policy: 'MM_EXIT' }, 'test');
      const outcomes = await Promise.allSettled([
        store.appendToStream('group-a', [{ type: 'ProcessCreated', pid: 1 }], {
          actor: 't',
          expectedVersion: 0,
        }),
        store.appendToStream('group-a', [{ type: 'ProcessCreated', pid: 2 }], {
          actor: 't',
          expectedVersion: 0,
        }),
        store.appendToStream('group-a', [{ type: 'ProcessCreated', pid: 3 }], {
          actor: 't',
          expectedVersion: 0,
        }),
        store.appendToStream(
          'group-b',
          [
            { type: 'ProcessCreated', pid: 1 },
            { type: 'DeviceBound', pid: 9, device: DEV },
          ],
          { actor: 't' },
        ),
        store.appendToStream('group-b', [{ type: 'ProcessCreated', pid: 3 }], { actor: 't' }),
        store.appendToStream('no-such-system', [{ type: 'ProcessCreated', pid: 3 }], { actor: 't' }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'rejected',
        'rejected',
        'rejected',
        'fulfilled',
        'rejected',
      ]);
      const reasons = outcomes.map((o) =>
        o.status === 'rejected' ? (o.reason as { code: string }).code : null,
      );
      expect(reasons).toEqual([null, 'CONFLICT', 'CONFLICT', 'REJECTED', null, 'NOT_FOUND']);
      expect((await store.readStream('group-a')).map((e) => (e.data as { pid: number }).pid)).toEqual([1]);
      expect((await store.readStream('group-b')).map((e) => (e.data as { pid: number }).pid)).toEqual([3]);
      expect((await store.verify()).ok).toBe(true);
    });

    it.skipIf(skip)('refuses UPDATE, DELETE and TRUNCATE of events inside the database', async () => {
      await store.createSystem({ name: 'ro', policy: 'MM_EXIT' }, 'test');
      await store.appendToStream('ro', [{ type: 'ProcessCreated', pid: 1 }], { actor: 't' });
      await expect(db.query(`UPDATE events SET actor = 'mallory' WHERE system = 'ro'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(db.query(`DELETE FROM events WHERE system = 'ro'`)).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE events')).rejects.toThrow(/append-only/);
      expect(await count(db, "events WHERE system = 'ro'")).toBe(1);
    });

    it.skipIf(skip)(
      'serves hazards by system and by code, paged, equal to a fresh replay of random histories',
      async () => {
        const policies: Policy[] = ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND'];
        const expected: ({ system: string; seq: number } & ReturnType<typeof hazardRecord>)[] = [];
        for (const [i, policy] of policies.entries()) {
          const name = `random-${policy}`;
          await store.createSystem({ name, policy, maxPasid: 8 }, 'test');
          const history = take(400, policy, 1000 + i, 8);
          // Random batch sizes, like clients would send.
          for (let at = 0, size = 1; at < history.length; at += size, size = (size * 7 + 3) % 40 || 1) {
            await store.appendToStream(name, history.slice(at, at + size), { actor: 't' });
          }
          const replayer = new Replayer({ policy, maxPasid: 8 });
          for (const e of history) replayer.apply(e);
          expect(await store.stateDocument(name)).toEqual(toStateDocument(replayer.state));
          const info = await store.getSystem(name);
          expect(info?.hazardCount).toBe(replayer.state.hazards.length);
          // By system, a page of 7 at a time: the replayed state's hazards, in order, once each.
          const bySystem: unknown[] = [];
          for (let after: { system: string; seq: number } | undefined; ; ) {
            const page = await store.hazards({ system: name, after, limit: 7 });
            if (page.length === 0) break;
            bySystem.push(...page.map(({ system: _, seq: __, ...h }) => h));
            const last = page.at(-1);
            after = last && { system: last.system, seq: last.seq };
          }
          expect(bySystem).toEqual(replayer.state.hazards.map(hazardRecord));
          expected.push(
            ...replayer.state.hazards.map((h, seq) => ({ system: name, seq: seq + 1, ...hazardRecord(h) })),
          );
        }
        // By code across systems, paged: every hazard of that code, once each, in (system, seq) order.
        const codes = [...new Set(expected.map((h) => h.code))];
        expect(codes.length).toBeGreaterThan(1);
        for (const code of codes) {
          const found: unknown[] = [];
          for (let after: { system: string; seq: number } | undefined; ; ) {
            const page = await store.hazards({ code, after, limit: 3 });
            if (page.length === 0) break;
            found.push(...page);
            const last = page.at(-1);
            after = last && { system: last.system, seq: last.seq };
          }
          const want = expected
            .filter((h) => h.code === code && h.system.startsWith('random-'))
            .sort((x, y) => (x.system < y.system ? -1 : x.system > y.system ? 1 : x.seq - y.seq));
          expect(found.filter((h) => (h as { system: string }).system.startsWith('random-'))).toEqual(want);
        }
        await expect(store.hazards({ limit: 0 })).rejects.toMatchObject({
          code: 'INVALID',
          argument: 'limit',
        });
        const rebuilt = await store.rebuildProjections();
        expect(rebuilt.differences).toEqual([]);
        expect(rebuilt.equal).toBe(true);
        // The histories reach model version 2's hazards, so the comparison covers their columns.
        expect(
          await count(db, "hazards WHERE reason IS NOT NULL AND system LIKE 'random-%'"),
        ).toBeGreaterThan(0);
        // A projection row changed behind the store's back is found and repaired.
        await db.query(`UPDATE hazards SET code = 'FORGED' WHERE system = 'random-MM_EXIT' AND seq = 1`);
        await db.query(`DELETE FROM hazards WHERE system = 'random-LAZY_REFCOUNT'`);
        const broken = await store.rebuildProjections();
        expect(broken.equal).toBe(false);
        for (const system of ['random-MM_EXIT', 'random-LAZY_REFCOUNT']) {
          expect(
            broken.differences.some((d) => d.startsWith(`${system}: hazards `)),
            system,
          ).toBe(true);
        }
        expect((await store.rebuildProjections()).equal).toBe(true);
      },
    );

    it.skipIf(skip)(
      'answers the state at any version, and under another policy, across snapshots',
      async () => {
        const total = 2150;
        const I = SNAPSHOT_INTERVAL;
        const history = take(total, 'LAZY_REFCOUNT', 77);
        await store.createSystem({ name: 'travel', policy: 'LAZY_REFCOUNT' }, 'test');
        for (let at = 0; at < total; at += 500) {
          await store.appendToStream('travel', history.slice(at, at + 500), { actor: 't' });
        }
        expect(await count(db, "snapshots WHERE system = 'travel'")).toBeGreaterThanOrEqual(2);
        const replayer = new Replayer({ policy: 'LAZY_REFCOUNT', maxPasid: 1 << 20 });
        const expected = new Map<number, unknown>([[0, toStateDocument(replayer.state)]]);
        const probes = new Set([1, I - 1, I, I + 1, 2 * I, 2 * I + 1, total - 1, total]);
        history.forEach((e, i) => {
          replayer.apply(e);
          if (probes.has(i + 1)) expected.set(i + 1, toStateDocument(replayer.state));
        });
        for (const [version, doc] of expected) {
          expect(await store.stateDocument('travel', { version })).toEqual(doc);
        }
        await expect(store.state('travel', { version: total + 1 })).rejects.toMatchObject({
          code: 'INVALID',
        });
        // What-if: the stored inputs re-decided under MM_EXIT, twice (the second from what-if snapshots).
        const whatIf = new Replayer({ policy: 'MM_EXIT', maxPasid: 1 << 20 });
        for (const e of history.slice(0, total - 50)) whatIf.apply(e);
        const expectedWhatIf = toStateDocument(whatIf.state);
        expect(await store.stateDocument('travel', { version: total - 50, policy: 'MM_EXIT' })).toEqual(
          expectedWhatIf,
        );
        expect(await store.stateDocument('travel', { version: total - 50, policy: 'MM_EXIT' })).toEqual(
          expectedWhatIf,
        );
      },
    );

    it.skipIf(skip)(
      're-decides under another policy without the observed PASIDs, versions aligned',
      async () => {
        const dsa = '0000:6a:01.0';
        // Recorded under EAGER_UNBIND: 100's PASID 1 is freed at its unbind while task 100 still
        // carries it, and the kernel hands 1 to 200. Under LAZY_REFCOUNT 1 is still held then.
        const recorded: InputEvent[] = [
          { type: 'ProcessCreated', pid: 100 },
          { type: 'DeviceBound', pid: 100, device: dsa, pasid: 1 },
          { type: 'Enqcmd', tid: 100, device: dsa },
          { type: 'DeviceUnbound', pid: 100, device: dsa },
          { type: 'ProcessCreated', pid: 200 },
          { type: 'DeviceBound', pid: 200, device: dsa, pasid: 1 },
          { type: 'Enqcmd', tid: 100, device: dsa },
        ];
        await store.createSystem({ name: 'hinted', policy: 'EAGER_UNBIND' }, 'test');
        await store.appendToStream('hinted', recorded, { actor: 't' });
        const head = await store.headPosition();
        const all = await store.readAll({ after: head - 1n, limit: 10 });
        expect(all.map((e) => e.position)).toEqual([head]);
        await store.ping();
        const lazy = await store.stateDocument('hinted', { policy: 'LAZY_REFCOUNT' });
        expect(lazy.events).toBe(recorded.length);
        expect(lazy.pasids.map((p) => [p.pasid, p.pid, p.refcount])).toEqual([
          [1, 100, 1],
          [2, 200, 1],
        ]);
        expect(lazy.hazards).toEqual([{ code: 'DMAR_FAULT', event: 7, tid: 100, device: dsa, pasid: 1 }]);
        const eager = await store.stateDocument('hinted');
        expect(eager.hazards.map((h) => [h.code, h.event, h.pid])).toEqual([['WRONG_ADDRESS_SPACE', 7, 200]]);
      },
    );

    it.skipIf(skip)(
      'exports a history that imports back to the same state; bad files store nothing',
      async () => {
        const history = take(300, 'EAGER_UNBIND', 5);
        await store.createSystem({ name: 'src', policy: 'EAGER_UNBIND', maxPasid: 16 }, 'test');
        await store.appendToStream('src', history, { actor: 't' });
        let text = '';
        for await (const line of store.exportHistory('src')) text += line;
        expect(text.split('\n')[0]).toBe('{"system":"src","policy":"EAGER_UNBIND","maxPasid":16}');
        const imported = await store.importHistory(text, { system: 'copy', actor: 'cli' });
        expect(imported.version).toBe(300);
        // Imports are cut on snapshot boundaries: the imported stream has its snapshot too.
        expect(await count(db, `snapshots WHERE system = 'copy' AND version = ${SNAPSHOT_INTERVAL}`)).toBe(1);
        expect(await store.stateDocument('copy')).toEqual(await store.stateDocument('src'));
        let again = '';
        for await (const line of store.exportHistory('copy')) again += line;
        expect(again.split('\n').slice(1)).toEqual(text.split('\n').slice(1));

        const before = await count(db, 'events');
        const bad = `{"system":"bad"}\n{"type":"ProcessCreated","pid":1}\n\n{"type":"ThreadCreated","tid":2,"pid":9}\n`;
        const failure = store.importHistory(bad, { actor: 'cli' });
        await expect(failure).rejects.toBeInstanceOf(HistoryImportError);
        await expect(failure).rejects.toMatchObject({ line: 4, field: 'pid' });
        const garbled = store.importHistory(
          '{"system":"bad2"}\n{"type":"ProcessCreated","pid":1}\nnot json\n',
          {
            actor: 'cli',
          },
        );
        await expect(garbled).rejects.toMatchObject({ line: 3 });
        expect(await count(db, 'events')).toBe(before);
        expect(await store.getSystem('bad')).toBeNull();
      },
    );

    it.skipIf(skip)('pages the whole log by position and filters it', async () => {
      const all: StoredEvent[] = [];
      for (let after = 0n; ; ) {
        const page = await store.readAll({ after, limit: 333 });
        if (page.length === 0) break;
        all.push(...page);
        after = page.at(-1)?.position ?? after;
      }
      expect(all.map((e) => e.position)).toEqual(all.map((_, i) => BigInt(i + 1)));
      const hazards = await store.readAll({
        limit: 50,
        filter: { types: ['HazardDetected'], kind: 'derived' },
      });
      expect(hazards.length).toBeGreaterThan(0);
      expect(hazards.every((e) => e.type === 'HazardDetected')).toBe(true);
    });

    it.skipIf(skip)('delivers catch-up then live events to a subscriber, once each, in order', async () => {
      await store.createSystem({ name: 'live', policy: 'MM_EXIT' }, 'test');
      await store.appendToStream('live', [{ type: 'ProcessCreated', pid: 1 }], { actor: 't' });
      const subscription = store.subscribe({ system: 'live', after: 0n });
      const seen: StoredEvent[] = [];
      const reading = (async () => {
        for await (const event of subscription) {
          seen.push(event);
          if (seen.length === 4) break;
        }
      })();
      await store.appendToStream('live', [{ type: 'ProcessCreated', pid: 2 }], { actor: 't' });
      await store.appendToStream('other-unknown', [], { actor: 't' }).catch(() => {});
      await store.appendToStream(
        'live',
        [
          { type: 'ThreadCreated', tid: 3, pid: 2 },
          { type: 'TaskExited', tid: 3 },
        ],
        {
          actor: 't',
        },
      );
      await reading;
      expect(seen.map((e) => e.version)).toEqual([1, 2, 3, 4]);
      expect(seen.every((e) => e.system === 'live')).toBe(true);
    });

    it.skipIf(skip)('verifies an untouched log', async () => {
      const report = await store.verify();
      expect(report.breaches).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.eventsChecked).toBe(await count(db, 'events'));
    });

    it.skipIf(skip)('keeps API keys as hashes; revoked keys stop working', async () => {
      const { token, key } = await store.apiKeys.create('ci', 'writer');
      expect(key.role).toBe('writer');
      const [row] = await db.query<{ token_hash: string }>(
        `SELECT token_hash FROM api_keys WHERE name = 'ci'`,
      );
      expect(row?.token_hash).not.toContain(token);
      expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect((await store.apiKeys.authenticate(token))?.name).toBe('ci');
      expect(await store.apiKeys.authenticate(`${token}x`)).toBeNull();
      await expect(store.apiKeys.create('ci', 'reader')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      expect(await store.apiKeys.revoke('ci')).toBe(true);
      expect(await store.apiKeys.authenticate(token)).toBeNull();
      expect((await store.apiKeys.list())[0]?.revokedAt).toBeInstanceOf(Date);
    });
  });
}

function strip(e: StoredEvent) {
  const { recordedAt: _r, ...rest } = e;
  return rest;
}
