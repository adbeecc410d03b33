import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, loadMigrations, migrate, openDatabase, openPostgres } from '../src/index.js';
import { BACKENDS, createTestDatabase, postgresAvailable } from './support/databases.js';

const SCHEMA = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));

/** Tables and columns as schema.prisma declares them: `table.column` -> `type nullable`. */
function declaredColumns(source: string): Map<string, string> {
  const columns = new Map<string, string>();
  for (const [, body] of source.matchAll(/^model \w+ \{\n([\s\S]*?)^\}/gm)) {
    const table = /@@map\("(\w+)"\)/.exec(body ?? '')?.[1];
    if (!table) throw new Error('every model maps to a snake_case table');
    for (const line of (body ?? '').split('\n')) {
      const field = /^\s+(\w+)\s+(\w+)(\?)?(.*)$/.exec(line);
      if (!field) continue;
      const [, name, type, optional, attributes = ''] = field;
      const column = /@map\("(\w+)"\)/.exec(attributes)?.[1] ?? name;
      const sqlType = /@db\.Uuid/.test(attributes)
        ? 'uuid'
        : /@db\.Json/.test(attributes)
          ? 'json'
          : ({
              String: 'text',
              Int: 'integer',
              BigInt: 'bigint',
              Json: 'jsonb',
              Boolean: 'boolean',
              DateTime: 'timestamp with time zone',
            }[type ?? ''] ?? `unknown ${type}`);
      columns.set(`${table}.${column}`, `${sqlType} ${optional ? 'null' : 'not null'}`);
    }
  }
  return columns;
}

async function migratedColumns(db: Database): Promise<Map<string, string>> {
  const rows = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  return new Map(
    rows.map((r) => [
      `${r.table_name}.${r.column_name}`,
      `${r.data_type} ${r.is_nullable === 'YES' ? 'null' : 'not null'}`,
    ]),
  );
}

for (const backend of BACKENDS) {
  describe(`schema on ${backend.name}`, async () => {
    const skip = backend.name === 'postgres' && !(await postgresAvailable());
    it.skipIf(skip)('matches schema.prisma: same tables, columns, types and nullability', async () => {
      const { db, dispose } = await backend.open();
      try {
        const declared = declaredColumns(readFileSync(SCHEMA, 'utf8'));
        expect(declared.size).toBeGreaterThan(50);
        expect(Object.fromEntries(await migratedColumns(db))).toEqual(Object.fromEntries(declared));
      } finally {
        await dispose();
      }
    });
    it.skipIf(skip)(
      'compresses snapshots with lz4 where the server has it (0007), pglz on PGlite',
      async () => {
        const { db, dispose } = await backend.open();
        try {
          const [column] = await db.query<{ method: string }>(
            `SELECT attcompression::text AS method FROM pg_attribute
           WHERE attrelid = 'snapshots'::regclass AND attname = 'state'`,
          );
          // 'l' is lz4; '' is the server's default, pglz.
          expect(column?.method).toBe(backend.name === 'postgres' ? 'l' : '');
        } finally {
          await dispose();
        }
      },
    );
  });
}

describe('the migrator', async () => {
  const skip = !(await postgresAvailable());
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it.skipIf(skip)(
    'applies each migration once, even from two processes at once, with checksums',
    async () => {
      const database = await createTestDatabase('migrator');
      cleanup.push(() => database.drop());
      const a = openPostgres(database.url);
      const b = openPostgres(database.url);
      cleanup.push(
        () => a.close(),
        () => b.close(),
      );
      const [first, second] = await Promise.all([migrate(a), migrate(b)]);
      const names = loadMigrations().map((m) => m.name);
      expect([...first.applied, ...second.applied].sort()).toEqual(names);
      expect((await migrate(a)).applied).toEqual([]);
      const recorded = await a.query<{ name: string; checksum: string }>(
        'SELECT name, checksum FROM schema_migrations',
      );
      expect(recorded).toEqual(loadMigrations().map((m) => ({ name: m.name, checksum: m.checksum })));
      // A migration edited after it ran is refused, not silently skipped.
      const edited = loadMigrations().map((m) => ({ ...m, checksum: `${m.checksum.slice(0, -1)}0` }));
      await expect(migrate(a, edited)).rejects.toThrow(/changed after it was applied/);
    },
  );

  it.skipIf(skip)('opens an existing database without migrating again', async () => {
    const database = await createTestDatabase('reopen');
    cleanup.push(() => database.drop());
    const db = await openDatabase({ databaseUrl: database.url });
    await db.close();
    const again = await openDatabase({ databaseUrl: database.url });
    cleanup.push(() => again.close());
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM schema_migrations');
    await client.end();
    expect(rows[0].n).toBe(loadMigrations().length);
  });
});
