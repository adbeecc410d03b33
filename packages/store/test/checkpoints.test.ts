import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { TestDatabase } from '@pasid/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointRefusedError,
  type Database,
  eventHash,
  GENESIS_HASH,
  loadMigrations,
  migrate,
  openPostgres,
  PgEventStore,
  parseStatement,
  type SignedCheckpoint,
} from '../src/index.js';
import { createTestDatabase, postgresAvailable } from './support/databases.js';

/**
 * The attacks of issue 12, item 5, as someone with write access to the database would run them:
 * triggers off, rows edited with SQL, every hash recomputed with the published algorithm (the
 * store's own `eventHash`). The chain alone passes each forged log; the signed checkpoints do not.
 */

type Row = {
  position: number;
  system: string;
  version: number;
  index: number;
  kind: 'input' | 'derived';
  type: string;
  data: Record<string, unknown>;
  id: string;
  causation_id: string | null;
  correlation_id: string;
  actor: string;
  recorded_at: string;
  observed_at: Date | null;
  hash_format: 1 | 2;
};

/** Runs SQL as a superuser who switched the triggers off. */
async function asSuperuser(db: Database, statements: (tx: Pick<Database, 'query'>) => Promise<void>) {
  await db.transaction(async (tx) => {
    await tx.query('SET LOCAL session_replication_role = replica');
    await statements(tx);
  });
}

/**
 * The attacker's tool: reads a stream, lets `edit` change (or drop, by returning false) rows, and
 * rewrites the whole stream with recomputed hashes; `systems` follows so nothing looks off.
 */
async function forgeStream(
  db: Database,
  system: string,
  edit: (row: Row) => boolean | undefined = () => true,
): Promise<void> {
  const rows = await db.query<Row>(
    `SELECT position, system, version, index, kind, type, data, id, causation_id, correlation_id, actor,
       to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at,
       observed_at, hash_format
     FROM events WHERE system = $1 ORDER BY position`,
    [system],
  );
  await asSuperuser(db, async (tx) => {
    let prev = GENESIS_HASH;
    let kept = 0;
    let version = 0;
    let lastPosition = 0;
    for (const row of rows) {
      if (edit(row) === false) {
        await tx.query('DELETE FROM events WHERE position = $1', [row.position]);
        continue;
      }
      const hash = eventHash(
        {
          system: row.system,
          version: row.version,
          index: row.index,
          kind: row.kind,
          type: row.type,
          data: row.data,
          id: row.id,
          causationId: row.causation_id,
          correlationId: row.correlation_id,
          actor: row.actor,
          recordedAt: row.recorded_at,
          observedAt: row.observed_at,
          prevHash: prev,
        },
        row.hash_format,
      );
      await tx.query(
        `UPDATE events SET data = $2, actor = $3, recorded_at = $4, prev_hash = $5, hash = $6, hash_format = $7
         WHERE position = $1`,
        [row.position, JSON.stringify(row.data), row.actor, row.recorded_at, prev, hash, row.hash_format],
      );
      prev = hash;
      kept += 1;
      version = row.version;
      lastPosition = row.position;
    }
    await tx.query(
      'UPDATE systems SET last_hash = $2, event_count = $3, version = $4, last_position = $5 WHERE name = $1',
      [system, prev, kept, version, lastPosition],
    );
  });
}

const pair = () => generateKeyPairSync('ed25519');

function processes(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ type: 'ProcessCreated' as const, pid: from + i }));
}

describe('signed checkpoints on Postgres', async () => {
  const skip = !(await postgresAvailable('the checkpoint tests'));
  const operator = pair();
  let database: TestDatabase;
  let db: Database;
  let store: PgEventStore;

  /** A fresh log of two streams with three checkpoints: after 10, 20 and 30 inputs per stream. */
  async function signedLog(): Promise<SignedCheckpoint[]> {
    for (const name of ['alpha', 'beta']) await store.createSystem({ name, policy: 'MM_EXIT' }, 'test');
    const signed: SignedCheckpoint[] = [];
    for (let round = 0; round < 3; round += 1) {
      for (const name of ['alpha', 'beta']) {
        await store.appendToStream(name, processes(round * 10 + 1, 10), { actor: 'test' });
        await store.appendToStream(
          name,
          [{ type: 'DeviceBound', pid: round * 10 + 1, device: '0000:6a:01.0' }],
          {
            actor: 'test',
          },
        );
      }
      const checkpoint = await store.signCheckpoint(operator.privateKey);
      if (checkpoint) signed.push(checkpoint);
    }
    return signed;
  }

  const verifyWith = (publicKey: KeyObject, kept?: SignedCheckpoint[]) =>
    store.verify({ publicKey, ...(kept ? { kept } : {}) });

  afterAll(async () => {
    if (!skip && store) {
      await store.close();
      await database.drop();
    }
  });
  const fresh = async () => {
    if (store) {
      await store.close();
      await database.drop();
    }
    database = await createTestDatabase('checkpoints');
    db = openPostgres(database.url);
    await migrate(db);
    store = new PgEventStore(db);
  };

  it.skipIf(skip)('an untouched log verifies; every checkpoint signs all heads, chained', async () => {
    await fresh();
    const signed = await signedLog();
    expect(signed.map((c) => c.seq)).toEqual([1, 2, 3]);
    const statements = signed.map((c) => parseStatement(c.statement));
    const [, , third] = statements;
    if (typeof third === 'string' || !third) throw new Error(String(third));
    expect(third.heads.map((h) => [h.system, h.version])).toEqual([
      ['alpha', 33],
      ['beta', 33],
    ]);
    expect(third.position).toBe(await store.headPosition());
    // Nothing appended: the interval signer signs nothing, an on-demand checkpoint still signs.
    expect(await store.signCheckpoint(operator.privateKey, { onlyIfMoved: true })).toBeNull();
    await store.appendToStream('alpha', processes(100, 2), { actor: 'test' });

    const report = await verifyWith(operator.publicKey, signed);
    expect(report.breaches).toEqual([]);
    expect(report.checkpoints?.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checkpoints).toMatchObject({ stored: 3, compared: 3, unsignedEvents: 2 });
    expect(report.checkpoints?.last).toMatchObject({ seq: 3, position: third.position });
    // New rows hash kind and recorded_at (format 2).
    const formats = await db.query<{ hash_format: number }>('SELECT DISTINCT hash_format FROM events');
    expect(formats).toEqual([{ hash_format: 2 }]);
  });

  it.skipIf(skip)('the chain alone passes a rewritten log; the checkpoints name where', async () => {
    await fresh();
    const signed = await signedLog();
    const [target] = await db.query<{ position: number }>(
      "SELECT position FROM events WHERE system = 'beta' AND version = 15 AND index = 0",
    );
    // Re-attribute every event of beta and change one pid; recompute the whole chain.
    await forgeStream(db, 'beta', (row) => {
      row.actor = 'someone-else';
      if (row.position === target?.position) row.data = { ...row.data, pid: 999 };
      return true;
    });
    const chainOnly = await store.verify();
    expect(chainOnly.ok).toBe(true);

    const report = await verifyWith(operator.publicKey);
    expect(report.ok).toBe(false);
    const findings = report.checkpoints?.findings ?? [];
    // The first checkpoint already signed beta's events, every one of them re-attributed.
    expect(findings).toHaveLength(1);
    const headOfBeta = (
      parseStatement(signed[0]!.statement) as { heads: { system: string; position: bigint }[] }
    ).heads.find((h) => h.system === 'beta');
    expect(findings[0]).toMatchObject({
      seq: 1,
      system: 'beta',
      position: headOfBeta?.position,
      reason: expect.stringMatching(
        /^rewritten: the log's chain recomputes to \w+… at version 11 index \d+ \(position \d+\); checkpoint seq 1 signed/,
      ),
    });
  });

  it.skipIf(skip)('a rewrite after the first checkpoint is placed between two checkpoints', async () => {
    await fresh();
    await signedLog();
    await forgeStream(db, 'alpha', (row) => {
      if (row.version === 25 && row.index === 0) row.data = { ...row.data, pid: 777 };
      return true;
    });
    const findings = (await verifyWith(operator.publicKey)).checkpoints?.findings ?? [];
    expect(findings).toEqual([
      expect.objectContaining({
        seq: 3,
        system: 'alpha',
        reason: expect.stringMatching(/^rewritten: .*; it matched checkpoint seq 2 \(position \d+\)$/),
      }),
    ]);
  });

  it.skipIf(skip)(
    'backdating recorded_at breaks the chain (format 2 hashes it), and a recompute breaks the checkpoints',
    async () => {
      await fresh();
      await signedLog();
      const [row] = await db.query<{ position: number }>(
        "SELECT position FROM events WHERE system = 'alpha' AND version = 5 AND index = 0",
      );
      await asSuperuser(db, async (tx) => {
        await tx.query(
          "UPDATE events SET recorded_at = recorded_at - interval '3 days' WHERE position = $1",
          [row?.position],
        );
      });
      const plain = await store.verify();
      expect(plain.breaches).toEqual([
        expect.objectContaining({
          system: 'alpha',
          position: BigInt(row?.position ?? 0),
          reason: expect.stringMatching(/^changed/),
        }),
      ]);
      await forgeStream(db, 'alpha');
      expect((await store.verify()).ok).toBe(true);
      expect((await verifyWith(operator.publicKey)).checkpoints?.findings).toEqual([
        expect.objectContaining({ seq: 1, system: 'alpha', reason: expect.stringMatching(/^rewritten/) }),
      ]);
    },
  );

  it.skipIf(skip)(
    'a truncated log: events and the last checkpoint removed; the kept copy names the loss',
    async () => {
      await fresh();
      const signed = await signedLog();
      const second = parseStatement(signed[1]!.statement);
      if (typeof second === 'string') throw new Error(second);
      // Remove everything after checkpoint 2, and checkpoint 3, then make the rest look whole.
      await asSuperuser(db, async (tx) => {
        await tx.query('DELETE FROM events WHERE position > $1', [second.position.toString()]);
        await tx.query('DELETE FROM checkpoints WHERE seq = 3');
        await tx.query('UPDATE log_head SET position = $1', [second.position.toString()]);
      });
      for (const name of ['alpha', 'beta']) await forgeStream(db, name);

      // Checkpoints are only as far-reaching as the copies kept outside: the log alone looks whole.
      const alone = await verifyWith(operator.publicKey);
      expect(alone.ok).toBe(true);
      expect(alone.checkpoints?.last).toMatchObject({ seq: 2, position: second.position });

      const kept = await verifyWith(operator.publicKey, signed);
      expect(kept.ok).toBe(false);
      expect(kept.checkpoints?.findings).toEqual([
        expect.objectContaining({
          seq: 3,
          reason: expect.stringMatching(
            /^removed: checkpoint seq 3 \(kept: position \d+, signed .*\) is missing from the log$/,
          ),
        }),
        expect.objectContaining({
          seq: 3,
          reason: `removed: checkpoint seq 3 signs the log up to position ${(parseStatement(signed[2]!.statement) as { position: bigint }).position}; the log ends at position ${second.position}`,
        }),
        expect.objectContaining({
          seq: 3,
          system: 'alpha',
          reason: expect.stringMatching(/^removed: checkpoint seq 3 signs 42 events up to version 33/),
        }),
        expect.objectContaining({
          seq: 3,
          system: 'beta',
          reason: expect.stringMatching(/^removed: checkpoint seq 3 signs 42 events/),
        }),
      ]);
    },
  );

  it.skipIf(skip)(
    'a truncated tail under a checkpoint left in place, and a checkpoint removed from the middle',
    async () => {
      await fresh();
      await signedLog();
      await asSuperuser(db, async (tx) => {
        await tx.query("DELETE FROM events WHERE system = 'beta' AND version > 30");
        await tx.query('DELETE FROM checkpoints WHERE seq = 2');
      });
      await forgeStream(db, 'beta');
      const findings = (await verifyWith(operator.publicKey)).checkpoints?.findings ?? [];
      expect(findings).toEqual([
        expect.objectContaining({
          seq: 2,
          position: null,
          reason: 'removed: checkpoint seq 2 is missing from the log',
        }),
        expect.objectContaining({
          seq: 3,
          system: null,
          reason: expect.stringMatching(
            /^removed: checkpoint seq 3 signs the log up to position (\d+); the log ends at position (?!\1)\d+$/,
          ),
        }),
        expect.objectContaining({
          seq: 3,
          system: 'beta',
          reason: expect.stringMatching(
            /^removed: checkpoint seq 3 signs 42 events up to version 33, head at position \d+; the log holds 36 events up to version 30/,
          ),
        }),
      ]);
    },
  );

  it.skipIf(skip)(
    'a log re-signed with another key: every checkpoint is refused, nothing covers the log',
    async () => {
      await fresh();
      await signedLog();
      const attacker = pair();
      await forgeStream(db, 'alpha', (row) => {
        row.actor = 'mallory';
        return true;
      });
      await asSuperuser(db, async (tx) => {
        await tx.query('DELETE FROM checkpoints');
      });
      await store.signCheckpoint(attacker.privateKey);
      await store.signCheckpoint(attacker.privateKey);
      expect((await verifyWith(attacker.publicKey)).ok).toBe(true);

      const report = await verifyWith(operator.publicKey);
      expect(report.ok).toBe(false);
      expect(report.checkpoints?.findings).toEqual([
        {
          seq: null,
          position: null,
          system: null,
          reason: expect.stringMatching(
            /^unsigned: no checkpoint signed by sha256:\w+ covers any of the 84 events$/,
          ),
        },
        expect.objectContaining({
          seq: 1,
          reason: expect.stringMatching(
            /^not signed by this key: the signature does not verify with sha256:\w+ \(the statement names sha256:\w+\)$/,
          ),
        }),
        expect.objectContaining({ seq: 2, reason: expect.stringMatching(/^not signed by this key/) }),
      ]);
    },
  );

  it.skipIf(skip)('the server refuses to sign a log that does not extend its last checkpoint', async () => {
    await fresh();
    await signedLog();
    await store.appendToStream('alpha', processes(200, 3), { actor: 'test' });
    const [row] = await db.query<{ position: number }>(
      "SELECT position FROM events WHERE system = 'alpha' ORDER BY position DESC LIMIT 1",
    );
    await asSuperuser(db, async (tx) => {
      await tx.query(`UPDATE events SET data = jsonb_set(data::jsonb, '{pid}', '9') WHERE position = $1`, [
        row?.position,
      ]);
    });
    const refused = await store.signCheckpoint(operator.privateKey).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointRefusedError);
    expect(refused).toMatchObject({
      position: BigInt(row?.position ?? 0),
      system: 'alpha',
      reason: expect.stringMatching(/^changed/),
    });
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([1, 2, 3]);
  });

  it.skipIf(skip)('rows of the old hash format verify under the old rule; a downgrade is found', async () => {
    if (store) {
      await store.close();
      await database.drop();
    }
    database = await createTestDatabase('checkpoints');
    db = openPostgres(database.url);
    const all = loadMigrations();
    await migrate(db, all);
    store = new PgEventStore(db);
    await store.createSystem({ name: 'old', policy: 'MM_EXIT' }, 'test');
    await store.appendToStream('old', processes(1, 5), { actor: 'test' });
    // What the code before hash format 2 stored: format 1 hashes (no kind, no recorded_at), in
    // rows the checkpoints migration marked format 1. (Written by today's append, whose SQL needs
    // the latest migrations, then turned into such rows.)
    const rows = await db.query<Row & { prev_hash: string }>(
      'SELECT position, system, version, index, kind, type, data, id, causation_id, correlation_id, actor, observed_at FROM events ORDER BY position',
    );
    let prev = GENESIS_HASH;
    await asSuperuser(db, async (tx) => {
      for (const r of rows) {
        const hash = eventHash(
          {
            system: r.system,
            version: r.version,
            index: r.index,
            kind: r.kind,
            type: r.type,
            data: r.data,
            id: r.id,
            causationId: r.causation_id,
            correlationId: r.correlation_id,
            actor: r.actor,
            recordedAt: '',
            observedAt: r.observed_at,
            prevHash: prev,
          },
          1,
        );
        await tx.query('UPDATE events SET prev_hash = $2, hash = $3, hash_format = 1 WHERE position = $1', [
          r.position,
          prev,
          hash,
        ]);
        prev = hash;
      }
      await tx.query("UPDATE systems SET last_hash = $1 WHERE name = 'old'", [prev]);
    });
    const restarted = new PgEventStore(db);
    await restarted.appendToStream('old', processes(10, 3), { actor: 'test' });
    const formats = await db.query<{ hash_format: number; n: number }>(
      'SELECT hash_format, count(*)::int AS n FROM events GROUP BY hash_format ORDER BY hash_format',
    );
    expect(formats).toEqual([
      { hash_format: 1, n: 5 },
      { hash_format: 2, n: 3 },
    ]);
    expect((await restarted.verify()).ok).toBe(true);
    expect(await restarted.signCheckpoint(operator.privateKey)).not.toBeNull();
    expect((await restarted.verify({ publicKey: operator.publicKey })).ok).toBe(true);

    // Passing a format 2 row off as format 1 (whose hash leaves out recorded_at) is a downgrade.
    await forgeStream(db, 'old', (row) => {
      if (row.version === 7) row.hash_format = 1;
      return true;
    });
    const report = await restarted.verify();
    expect(report.breaches).toEqual([
      expect.objectContaining({
        system: 'old',
        version: 7,
        reason: expect.stringMatching(/^changed: hash format 1 after format 2 events \(a downgrade/),
      }),
    ]);
  });
});
