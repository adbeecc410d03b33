import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type InputEvent,
} from '@pasid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, HistoryImportError, type ImportOptions, type PgEventStore } from '../src/index.js';
import { BACKENDS, postgresAvailable } from './support/databases.js';

/** More than one COPY (20,000 events), so a repeat can be rows apart that are sent apart. */
const EVENTS = 30_000;

const history = (system: string, inputs: readonly InputEvent[]) =>
  `${[formatHistoryHeader({ system, policy: 'MM_EXIT', maxPasid: DEFAULT_MAX_PASID }), ...inputs.map(formatHistoryEvent)].join('\n')}\n`;

function generated(count: number, seed: number): InputEvent[] {
  const out: InputEvent[] = [];
  for (const e of generateHistory({ policy: 'MM_EXIT', maxPasid: DEFAULT_MAX_PASID, seed })) {
    out.push(e);
    if (out.length === count) break;
  }
  return out;
}

/** `inputs` with `id` on the inputs at these 0-based indexes (file line = index + 2). */
const withId = (inputs: InputEvent[], id: string, ...at: number[]) =>
  inputs.map((e, i) => (at.includes(i) ? { ...e, id } : e));

for (const backend of BACKENDS) {
  describe(`an import with a repeated id on ${backend.name}`, async () => {
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
    const stored = async () =>
      Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM events'))[0]?.n);
    const modes: NonNullable<ImportOptions['bulk']>[] =
      backend.name === 'postgres' ? ['direct', 'staged'] : ['direct'];

    for (const bulk of modes) {
      it.skipIf(skip)(
        `${bulk}: names the line of the repeat (and of the first when both are in the rows refused), storing nothing`,
        async () => {
          const before = await stored();
          const refuse = async (system: string, inputs: InputEvent[]) => {
            const error = await store.importHistory(history(system, inputs), { actor: 't', bulk }).then(
              () => null,
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(HistoryImportError);
            expect(await store.getSystem(system)).toBeNull();
            expect(await stored()).toBe(before);
            return error as HistoryImportError;
          };
          // Lines 3 and 6 of one small file: both in the same rows.
          const near = await refuse(`near-${bulk}`, withId(generated(20, 1), randomUUID(), 1, 4));
          expect(near).toMatchObject({ line: 6, field: 'id', rejectionCode: 'DUPLICATE_ID' });
          expect(near.message).toMatch(
            /^line 6: id [0-9a-f-]{36} is also on line 3: each event needs its own id$/,
          );
          // Line 12 and line 25,002: sent in different COPYs (or at the end), so only the repeat is named.
          const far = await refuse(`far-${bulk}`, withId(generated(EVENTS, 2), randomUUID(), 10, 25_000));
          expect(far).toMatchObject({ line: 25_002, field: 'id', rejectionCode: 'DUPLICATE_ID' });
          expect(far.message).toMatch(/already in the log, or on an earlier line of this file/);
          // Line 9 reuses an id another system recorded.
          const id = randomUUID();
          await store.createSystem({ name: `owner-${bulk}`, policy: 'MM_EXIT' }, 't');
          await store.appendToStream(`owner-${bulk}`, [{ type: 'ProcessCreated', pid: 1, id }], {
            actor: 't',
          });
          const taken = await stored();
          const elsewhere = await store
            .importHistory(history(`reuse-${bulk}`, withId(generated(20, 3), id, 7)), { actor: 't', bulk })
            .then(
              () => null,
              (e: unknown) => e,
            );
          expect(elsewhere).toMatchObject({ line: 9, field: 'id' });
          expect(await stored()).toBe(taken);
        },
        120_000,
      );
    }
  });
}
