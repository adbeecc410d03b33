import { ADMIN_URL } from '@pasid/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../src/index.js';
import { postgresAvailable } from './support/databases.js';

// The store's own timestamptz parser (database.ts) against pg's, on what the server sends.
describe('timestamps read from Postgres', async () => {
  const skip = !(await postgresAvailable());
  let db: Database;
  beforeAll(() => {
    if (!skip) db = openPostgres(ADMIN_URL);
  });
  afterAll(async () => {
    if (!skip) await db.close();
  });

  it.skipIf(skip)('are the Dates pg itself parses, in UTC and in other zones', async () => {
    const values = [
      '2026-12-08 01:47:23.123456+00',
      '2026-12-08 01:47:23.999999+00',
      '2026-12-08 01:47:23.1+00',
      '2026-12-08 01:47:23+00',
      '2026-02-28 23:59:59.000001+00',
      '2024-02-29 00:00:00.5+00',
      '1970-01-01 00:00:00+00',
      '0050-06-01 12:00:00+00',
      '0999-06-01 12:00:00.25+00',
      '12345-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '-infinity',
    ];
    const pgParse = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text');
    for (const zone of ['UTC', 'Asia/Kolkata']) {
      const rows = await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL TIME ZONE '${zone}'`);
        return tx.query<{ t: Date; text: string }>(
          'SELECT v::timestamptz AS t, v::timestamptz::text AS text FROM unnest($1::text[]) AS v',
          [values],
        );
      });
      expect(rows).toHaveLength(values.length);
      for (const row of rows) {
        const expected = pgParse(row.text) as Date | number;
        expect(row.t instanceof Date ? row.t.getTime() : row.t, `${zone}: ${row.text}`).toEqual(
          expected instanceof Date ? expected.getTime() : expected,
        );
      }
      // A repeated value (the events of one transaction) comes back as a Date of its own each time.
      const [a, b] = await db.query<{ t: Date }>(
        "SELECT '2026-12-08 01:47:23.123456+00'::timestamptz AS t FROM generate_series(1, 2)",
      );
      expect(a?.t).not.toBe(b?.t);
      expect(a?.t.getTime()).toBe(b?.t.getTime());
    }
  });
});
