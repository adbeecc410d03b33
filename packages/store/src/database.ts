import { EventEmitter } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { openFailure, prepareDataDir } from './data-dir.js';
import { PrismaClient } from './generated/prisma/client.js';
import { type Position, toPosition } from './position.js';

/** Runs SQL with `$1` parameters; rows come back as plain objects. */
export interface Queryable {
  /** `prepared` names a statement the server keeps parsed and planned per connection (Postgres). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[], prepared?: string): Promise<R[]>;
}

/** A notification from the log: a system appended up to a position (see `pasid_append`). */
export type LogNotice = { system: string; position: Position };

/**
 * One database, server or embedded, behind the few operations the store needs. The two differ
 * only here: a pool of connections and LISTEN/NOTIFY on Postgres; a single in-process session
 * and an in-process notifier on PGlite (which only one process can open anyway).
 */
/** A transaction or a dedicated session: parameterised queries and multi-statement scripts. */
export interface Session extends Queryable {
  exec(sql: string): Promise<void>;
  /**
   * `COPY table (columns) FROM` rows in COPY's text format (tab-separated, `\N` for null, one row
   * a line, see `copyField`): the bulk path of imports, far cheaper per row than an INSERT.
   */
  copyRows(table: string, columns: readonly string[], rows: string): Promise<void>;
}

/** A value as a field of COPY's text format: backslash, tab, newline and return escaped. */
export function copyField(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : value;
}

/** A transaction whose last statement is sent together with its COMMIT. */
export interface WriteSession extends Session {
  /**
   * Runs `text` and COMMIT in one round trip (Postgres pipelines them): the transaction ends
   * here, whether `text` succeeded (committed) or failed (rolled back). An error of the COMMIT
   * itself carries `commitUncertain`.
   */
  queryAndCommit<R = Record<string, unknown>>(
    text: string,
    params: unknown[],
    prepared?: string,
  ): Promise<R[]>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /**
   * A transaction for appends: BEGIN goes out with the first statement and the last one with
   * COMMIT (`queryAndCommit`), so the log head's lock (taken by the last statement) is held for
   * the commit alone, never for a round trip back to this process.
   */
  writeTransaction<T>(fn: (tx: WriteSession) => Promise<T>): Promise<T>;
  /** Runs `fn` on one dedicated session (the migrator holds an advisory lock on it). */
  session<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** Calls `onNotice` for every append committed from now on; `onLost` when notices may have been missed. */
  listen(onNotice: (notice: LogNotice) => void, onLost: () => void): Promise<() => Promise<void>>;
  /** Tells in-process listeners about a commit (PGlite; a no-op on Postgres, where NOTIFY does it). */
  committed(notice: LogNotice): void;
  close(): Promise<void>;
}

export const NOTIFY_CHANNEL = 'pasid_events';

export function parseNotice(payload: string | undefined): LogNotice | null {
  if (!payload) return null;
  const space = payload.lastIndexOf(' ');
  if (space < 0) return null;
  const position = payload.slice(space + 1);
  if (!/^[0-9]+$/.test(position)) return null;
  return { system: payload.slice(0, space), position: toPosition(position) };
}

// int8 as PGlite gives it: a number when it is a safe integer (counts, checkpoint seqs), a
// bigint beyond. Positions go through `toPosition` either way, so they are exact past 2^53.
pg.types.setTypeParser(20, (value) => {
  const n = BigInt(value);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
});

/** Marks an error of COMMIT: the commit may or may not have happened, whoever retries must know. */
function commitUncertain(error: unknown): unknown {
  (error as { commitUncertain?: boolean }).commitUncertain = true;
  return error;
}

const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');

/**
 * timestamptz as a Date, faster than pg's general parser for what the server sends in UTC
 * (`2026-12-08 01:47:23.123456+00`), the same value (milliseconds truncated, as pg does): a
 * stream read parses two per event, and the events of one transaction share their recorded_at,
 * so the last text seen is kept. Any other form goes to pg's parser.
 */
function timestamptzParser(): (text: string) => Date {
  let lastText = '';
  let lastMs = 0;
  return (text) => {
    if (text === lastText) return new Date(lastMs);
    const fraction = text.charCodeAt(19) === 46;
    if (text.charCodeAt(10) === 32 && text.endsWith('+00') && (fraction || text.length === 22)) {
      const ms = Date.UTC(
        Number(text.slice(0, 4)),
        Number(text.slice(5, 7)) - 1,
        Number(text.slice(8, 10)),
        Number(text.slice(11, 13)),
        Number(text.slice(14, 16)),
        Number(text.slice(17, 19)),
        fraction ? Number(text.slice(20, Math.min(23, text.length - 3)).padEnd(3, '0')) : 0,
      );
      // Years below 1000 are left to pg (Date.UTC reads 0-99 as 19xx).
      if (Number.isFinite(ms) && text.length >= 22 && text.charCodeAt(0) !== 48) {
        lastText = text;
        lastMs = ms;
        return new Date(ms);
      }
    }
    return parseTimestamptz(text) as Date;
  };
}

export function openPostgres(url: string): Database {
  const timestamptz = timestamptzParser();
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.TIMESTAMPTZ && format !== 'binary'
        ? timestamptz
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 20, types });
  // A client that loses its connection (a restart, `pg_terminate_backend`) must not crash the
  // process: the pool drops an idle one itself ('error' on the pool); a checked-out one has no
  // listener of the pool's, so every client gets its own. Its query in flight fails, the caller
  // sees a retryable error (`isDatabaseUnavailable`), and the broken client is never reused.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const queryable = (client: pg.Pool | pg.PoolClient): Session => ({
    async query<R>(text: string, params?: unknown[], prepared?: string) {
      const result =
        prepared === undefined
          ? await client.query(text, params as unknown[])
          : await client.query({ name: prepared, text, values: params as unknown[] });
      return result.rows as R[];
    },
    // Without parameters pg uses the simple protocol, which takes several statements.
    exec: async (sql) => void (await client.query(sql)),
    async copyRows(table, columns, rows) {
      // COPY belongs to one connection: a pool would run it on any of them.
      if (client instanceof pg.Pool) throw new Error('copyRows needs a transaction or a session');
      const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(async function* () {
        yield rows;
      }, stream);
    },
  });
  // Appends' own connections, in pipeline mode (each query is sent at once, answered in order).
  const writers = new pg.Pool({ connectionString: url, max: 4, types, pipeline: true });
  writers.on('error', () => {});
  writers.on('connect', (client) => {
    client.on('error', () => {});
  });
  const listeners = new Set<pg.Client>();
  return {
    kind: 'postgres',
    prisma,
    ...queryable(pool),
    async writeTransaction(fn) {
      // A pooled connection can be dead without the pool knowing yet (a restart, a terminated
      // backend): when BEGIN itself fails, nothing ran, so the transaction is tried once more on
      // a fresh connection.
      for (let attempt = 1; ; attempt++) {
        const client = await writers.connect();
        let open = true;
        // Not awaited alone: BEGIN travels with the first statement (which fails if BEGIN did).
        const begun = client.query('BEGIN').then(
          () => null,
          (error: unknown) => error,
        );
        const session: WriteSession = {
          ...queryable(client),
          async queryAndCommit<R>(text: string, params: unknown[], prepared?: string) {
            const written = client.query(
              prepared === undefined ? { text, values: params } : { name: prepared, text, values: params },
            );
            written.catch(() => {});
            const committed = client.query('COMMIT');
            committed.catch(() => {});
            open = false;
            let outcome: pg.QueryResult;
            try {
              outcome = await committed;
            } catch (error) {
              throw commitUncertain(error);
            }
            // COMMIT of a transaction the statement aborted answers ROLLBACK: the statement's error.
            const rows = await written;
            if (outcome.command !== 'COMMIT') {
              throw new Error(`the append's transaction ended in ${outcome.command}`);
            }
            return rows.rows as R[];
          },
        };
        try {
          const result = await fn(session);
          if (open) {
            open = false;
            try {
              await client.query('COMMIT');
            } catch (error) {
              throw commitUncertain(error);
            }
          }
          client.release();
          return result;
        } catch (error) {
          const beginFailed = (await begun) !== null;
          try {
            // Ended in queryAndCommit, or never begun: that connection is not worth keeping.
            if (!open || beginFailed) throw error;
            await client.query('ROLLBACK');
            client.release();
          } catch {
            client.release(true);
          }
          if (beginFailed && attempt === 1) continue;
          throw error;
        }
      }
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(queryable(client));
        try {
          await client.query('COMMIT');
        } catch (error) {
          // The commit may or may not have happened: whoever retries must know.
          (error as { commitUncertain?: boolean }).commitUncertain = true;
          throw error;
        }
        client.release();
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
          client.release();
        } catch {
          client.release(true);
        }
        throw error;
      }
    },
    async session(fn) {
      const client = await pool.connect();
      let failed = false;
      try {
        return await fn(queryable(client));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // A session that failed may hold a broken connection or session state: never reuse it.
        client.release(failed);
      }
    },
    async listen(onNotice, onLost) {
      // A dedicated connection outside the pool: LISTEN belongs to a session.
      const client = new pg.Client({ connectionString: url });
      listeners.add(client);
      let closed = false;
      client.on('notification', (message) => {
        const notice = parseNotice(message.payload);
        if (notice) onNotice(notice);
      });
      client.on('error', () => {
        if (!closed) onLost();
      });
      client.on('end', () => {
        listeners.delete(client);
        if (!closed) onLost();
      });
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      return async () => {
        closed = true;
        listeners.delete(client);
        await client.end().catch(() => {});
      };
    },
    committed() {},
    async close() {
      for (const client of listeners) await client.end().catch(() => {});
      await prisma.$disconnect();
      await writers.end();
      await pool.end();
    },
  };
}

export async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) prepareDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    throw inMemory ? error : openFailure(dataDir, error);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const notices = new EventEmitter();
  notices.setMaxListeners(0);
  const queryable = (client: Pick<PGlite, 'query' | 'exec'>): Session => ({
    // PGlite's one session parses every query anew; `prepared` is Postgres's.
    async query<R>(text: string, params?: unknown[]) {
      const result = await client.query<R>(text, params);
      return result.rows;
    },
    exec: async (sql) => void (await client.exec(sql)),
    async copyRows(table, columns, rows) {
      // PGlite reads COPY's input from a blob it mounts at /dev/blob.
      await client.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
        blob: new Blob([rows]),
      });
    },
  });
  return {
    kind: 'pglite',
    prisma,
    ...queryable(db),
    transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
    // One session, nothing to pipeline: the last statement runs, and the COMMIT follows when fn ends.
    writeTransaction: (fn) =>
      db.transaction((tx) => {
        const session = queryable(tx);
        return fn({ ...session, queryAndCommit: (text, params) => session.query(text, params) });
      }),
    session: (fn) => fn(queryable(db)),
    async listen(onNotice) {
      notices.on('notice', onNotice);
      return async () => void notices.off('notice', onNotice);
    },
    committed(notice) {
      notices.emit('notice', notice);
    },
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
