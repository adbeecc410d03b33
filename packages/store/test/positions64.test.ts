import { setLogHead } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  type CheckpointStatement,
  canonicalJson,
  type Database,
  type PgEventStore,
  parseStatement,
  type StoredEvent,
} from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

/**
 * A log whose head straddles 2^53, where a JS number stops being exact: 2^53 - 1 is the last
 * safe integer, 2^53 + 1 the first one a number cannot hold. Positions come back as bigints,
 * each exact, on both databases (pg and PGlite parse int8 differently on each side of 2^53).
 */
const HEAD = 2n ** 53n - 3n;
const DEV = '0000:6a:01.0';

for (const backend of BACKENDS) {
  describe(`positions past 2^53 on ${backend.name}`, async () => {
    const skip = backend.name === 'postgres' && !(await postgresAvailable());
    let store: PgEventStore;
    let db: Database;
    let dispose: () => Promise<void>;
    let stored: StoredEvent[] = [];
    beforeAll(async () => {
      if (skip) return;
      ({ store, db, dispose } = await backend.open());
      await setLogHead(db, HEAD);
      await store.createSystem({ name: 'far', policy: 'LAZY_REFCOUNT' }, 'test');
    });
    afterAll(async () => {
      if (!skip) await dispose();
    });

    it.skipIf(skip)('appends at exact positions and reads them back by position', async () => {
      const result = await store.appendToStream(
        'far',
        [
          { type: 'ProcessCreated', pid: 1 },
          { type: 'DeviceBound', pid: 1, device: DEV },
          { type: 'ProcessCreated', pid: 2 },
        ],
        { actor: 'test' },
      );
      stored = result.events;
      expect(stored.length).toBeGreaterThan(3);
      expect(stored.map((e) => e.position)).toEqual(stored.map((_, i) => HEAD + BigInt(i + 1)));
      expect(stored.every((e) => typeof e.position === 'bigint')).toBe(true);
      expect(await store.headPosition()).toBe(stored.at(-1)?.position);
      expect((await store.getSystem('far'))?.lastPosition).toBe(stored.at(-1)?.position);
      expect((await store.readAll({ after: HEAD, limit: 100 })).map((e) => e.position)).toEqual(
        stored.map((e) => e.position),
      );
      // From between two positions a float cannot tell apart (2^53 and 2^53 + 1).
      const after = 2n ** 53n;
      expect((await store.readAll({ after, limit: 100 })).map((e) => e.position)).toEqual(
        stored.map((e) => e.position).filter((p) => p > after),
      );
      expect((await store.readStream('far')).map((e) => e.position)).toEqual(stored.map((e) => e.position));
    });

    it.skipIf(skip)('a subscriber after a position gets every later event once, in order', async () => {
      const from = stored[1]!.position;
      const subscription = store.subscribe({ system: 'far', after: from });
      const seen: bigint[] = [];
      const reading = (async () => {
        for await (const event of subscription) {
          seen.push(event.position);
          if (seen.length === stored.length - 2 + 1) break;
        }
      })();
      const more = await store.appendToStream('far', [{ type: 'ProcessCreated', pid: 3 }], { actor: 'test' });
      await reading;
      await subscription.close();
      expect(seen).toEqual([...stored.slice(2), ...more.events].map((e) => e.position));
      stored = [...stored, ...more.events];
    });

    it.skipIf(skip)('an import and verify name exact positions', async () => {
      const imported = await store.importHistory('{"type":"ProcessCreated","pid":9}\n', {
        system: 'far-copy',
        actor: 'test',
      });
      expect(imported.lastPosition).toBe(stored.at(-1)!.position + 1n);
      const report = await store.verify();
      // The head was moved, so positions 1..HEAD are missing: said with the exact position.
      expect(report.breaches).toContainEqual({
        system: 'far',
        position: HEAD + 1n,
        version: 1,
        reason: `removed: positions 1..${HEAD} are missing from the log`,
      });
    });
  });
}

describe('checkpoint statements past 2^53', () => {
  it('write positions as JSON integers, every digit, and read them back exactly', () => {
    const position = 2n ** 53n + 1n;
    const statement: CheckpointStatement = {
      format: CHECKPOINT_FORMAT,
      seq: 1,
      position,
      recordedAt: '2026-12-08T00:00:00.000000Z',
      prev: '0'.repeat(64),
      keyId: 'sha256:00',
      heads: [{ system: 'far', version: 1, index: 0, events: 1, position, hash: 'a'.repeat(64) }],
    };
    const text = canonicalJson(statement);
    expect(text).toContain('"position":9007199254740993');
    expect(parseStatement(text)).toEqual(statement);
    // A statement below 2^53 reads as it always did (format unchanged): positions now bigints.
    const small = canonicalJson({
      ...statement,
      position: 5n,
      heads: [{ ...statement.heads[0]!, position: 5n }],
    });
    expect(small).toContain('"position":5,');
    expect((parseStatement(small) as CheckpointStatement).position).toBe(5n);
  });
});
