import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';
import { StoreError } from './event-store.js';
import { upgradeProjections } from './rebuild.js';

/** `prisma/migrations` at the repository root (the same from `src/` and from `dist/`). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

/** Any constant shared by every process migrating the same database. */
const MIGRATION_LOCK_KEY = 7_202_611_24;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d{4}_[a-z0-9_]+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name       text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz(6) NOT NULL DEFAULT now()
)`;

/**
 * The migrations on disk that the database has not applied (all of them when it has none), for a
 * readiness check: a replica whose schema is behind its code must not take traffic.
 */
export async function pendingMigrations(
  db: Database,
  migrations: Migration[] = loadMigrations(),
): Promise<string[]> {
  const [table] = await db.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!table?.present) return migrations.map((m) => m.name);
  const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
  const done = new Set(rows.map((row) => row.name));
  return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
}

/**
 * Applies the pending migrations in name order, each in its own transaction with its record in
 * `schema_migrations`. Idempotent; two processes at once serialise on an advisory lock (the
 * second finds nothing left to do). A migration changed after it ran is an error: the database
 * no longer matches the files. Then, still under the lock, what SQL cannot do: the projection
 * rows and snapshots of systems in an older projection format are rebuilt from the log
 * (`rebuilt`; after migration 0004, every system written by model version 1).
 */
export async function migrate(
  db: Database,
  migrations: Migration[] = loadMigrations(),
): Promise<{ applied: string[]; rebuilt: string[] }> {
  return db.session(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(MIGRATIONS_TABLE);
      const rows = await session.query<{ name: string; checksum: string }>(
        'SELECT name, checksum FROM schema_migrations',
      );
      const done = new Map(rows.map((row) => [row.name, row.checksum]));
      const applied: string[] = [];
      for (const migration of migrations) {
        const checksum = done.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new StoreError(
              'INVALID',
              `migration ${migration.name} was changed after it was applied (checksum ${checksum.slice(0, 12)}… in the database, ${migration.checksum.slice(0, 12)}… on disk)`,
            );
          }
          continue;
        }
        await db.transaction(async (tx) => {
          await tx.exec(migration.sql);
          await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
            migration.name,
            migration.checksum,
          ]);
        });
        applied.push(migration.name);
      }
      const [format] = await session.query<{ present: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
           AND table_name = 'systems' AND column_name = 'projection_format') AS present`,
      );
      const rebuilt = format?.present ? await upgradeProjections(db) : [];
      return { applied, rebuilt };
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
