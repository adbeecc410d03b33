import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { generateHistory } from '@pasid/domain';
import { openEventStore } from '@pasid/store';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { type BenchContext, compared, type Figure, type Scenario } from '../../scenario.js';
import { createBenchDatabase, now, RAW_TABLE } from './support.js';

/** The history the Postgres figure imports (the size), and the embedded one's. */
const SERVER_EVENTS = 1_000_000;
const EMBEDDED_EVENTS = 100_000;
const POLICY = 'LAZY_REFCOUNT';
const COLUMNS =
  'system, version, index, kind, type, data, id, causation_id, correlation_id, actor, recorded_at, observed_at, prev_hash, hash';
/** Rows per COPY in the embedded baseline (PGlite reads COPY's input from one blob), as the import does. */
const EMBEDDED_COPY_ROWS = 20_000;

/** A seeded valid history of `count` inputs as a history file (header first), written as it is made. */
async function writeHistory(path: string, count: number, seed: number): Promise<void> {
  await pipeline(async function* () {
    yield `${JSON.stringify({ policy: POLICY })}\n`;
    let lines: string[] = [];
    let n = 0;
    for (const event of generateHistory({ policy: POLICY, maxPasid: 1 << 20, seed })) {
      lines.push(JSON.stringify(event));
      n += 1;
      if (lines.length === 10_000 || n === count) {
        yield `${lines.join('\n')}\n`;
        lines = [];
      }
      if (n === count) break;
    }
  }, createWriteStream(path));
}

/**
 * `store.import_1m_events_per_second`: `importHistory` of a 1,000,000-event history file (streamed
 * from disk) into a fresh Postgres database, in history events per second; beside it a `COPY` of
 * the very rows the import stored (inputs and derived events, dumped to a file first) into a table
 * with the same columns and indexes as `events`. `store.import_embedded_events_per_second`: the
 * same on PGlite (in memory) with 100,000 events, against a `COPY` of its rows into PGlite.
 * `store.snapshot_bytes_per_event`: the snapshots' bytes per stored event after the 1,000,000
 * import, beside the log's own bytes per event (`pg_column_size` of the rows).
 */
export const storeImportScenario: Scenario = {
  name: 'store-import',
  async run(ctx: BenchContext) {
    const figures: Figure[] = [];
    const serverFile = join(ctx.tmpDir, 'history-1m.jsonl');
    ctx.progress(`writing a ${SERVER_EVENTS.toLocaleString('en-US')}-event history`);
    await writeHistory(serverFile, SERVER_EVENTS, 1515);

    const ours = await createBenchDatabase('import_ours');
    const raw = await createBenchDatabase('import_raw');
    try {
      const store = await openEventStore({ databaseUrl: ours.url });
      try {
        ctx.progress('importing it into Postgres');
        const t = now();
        await store.importHistory(createReadStream(serverFile), {
          system: 'import',
          actor: 'bench',
          onProgress: (p) => ctx.progress(`  ${p.inputs.toLocaleString('en-US')} events`),
        });
        const seconds = (now() - t) / 1000;

        ctx.progress('baseline: COPY of the same rows');
        const rowsFile = join(ctx.tmpDir, 'rows.copy');
        const dump = new pg.Client({ connectionString: ours.url });
        await dump.connect();
        await pipeline(
          dump.query(copyTo(`COPY (SELECT ${COLUMNS} FROM events ORDER BY position) TO STDOUT`)),
          createWriteStream(rowsFile),
        );
        const [sizes] = (
          await dump.query<{ events: string; log: string; snapshots: string }>(
            `SELECT (SELECT count(*) FROM events) AS events,
                    (SELECT sum(pg_column_size(e.*)) FROM events e) AS log,
                    (SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM snapshots s) AS snapshots`,
          )
        ).rows;
        await dump.end();
        const client = new pg.Client({ connectionString: raw.url });
        await client.connect();
        await client.query(RAW_TABLE);
        const b = now();
        await pipeline(
          createReadStream(rowsFile),
          client.query(copyFrom(`COPY raw_events (${COLUMNS}) FROM STDIN`)),
        );
        const baseline = (now() - b) / 1000;
        await client.end();
        figures.push(
          compared(
            'store.import_1m_events_per_second',
            SERVER_EVENTS / seconds,
            'events/s',
            SERVER_EVENTS / baseline,
          ),
        );
        if (sizes) {
          const events = Number(sizes.events);
          figures.push(
            compared(
              'store.snapshot_bytes_per_event',
              Number(sizes.snapshots) / events,
              'bytes',
              Number(sizes.log) / events,
            ),
          );
        }
      } finally {
        await store.close();
      }
    } finally {
      await ours.drop();
      await raw.drop();
    }

    const embeddedFile = join(ctx.tmpDir, 'history-embedded.jsonl');
    await writeHistory(embeddedFile, EMBEDDED_EVENTS, 1616);
    const embedded = await openEventStore({ dataDir: 'memory://' });
    try {
      ctx.progress(`importing ${EMBEDDED_EVENTS.toLocaleString('en-US')} events into PGlite`);
      const t = now();
      await embedded.importHistory(createReadStream(embeddedFile), { system: 'import', actor: 'bench' });
      const seconds = (now() - t) / 1000;
      ctx.progress('baseline: COPY of the same rows into PGlite');
      const rows = await embedded.db.query<{ line: string }>(
        `SELECT concat_ws(E'\\t', system, version, index, kind, type,
           replace(data::text, '\\', '\\\\'), id, coalesce(causation_id::text, '\\N'), correlation_id, actor,
           recorded_at, coalesce(observed_at::text, '\\N'), prev_hash, hash) AS line
         FROM events ORDER BY position`,
      );
      const lines = rows.map((r) => `${r.line}\n`);
      const b = now();
      await embedded.db.session(async (session) => {
        await session.exec(RAW_TABLE);
        for (let at = 0; at < lines.length; at += EMBEDDED_COPY_ROWS) {
          await session.copyRows(
            'raw_events',
            COLUMNS.split(', '),
            lines.slice(at, at + EMBEDDED_COPY_ROWS).join(''),
          );
        }
      });
      const baseline = (now() - b) / 1000;
      figures.push(
        compared(
          'store.import_embedded_events_per_second',
          EMBEDDED_EVENTS / seconds,
          'events/s',
          EMBEDDED_EVENTS / baseline,
        ),
      );
    } finally {
      await embedded.close();
    }
    return figures;
  },
};
