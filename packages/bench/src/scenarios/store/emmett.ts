import { dumbo, SQL } from '@event-driven-io/dumbo';
import { getPostgreSQLEventStore, readMessagesBatch } from '@event-driven-io/emmett-postgresql';
import type { StoredEvent } from '@pasid/store';

/** Emmett 0.42's PostgreSQL event store, fed the same rows as ours (inputs and derived events). */
export async function openEmmett(url: string) {
  const store = getPostgreSQLEventStore(url, { schema: { autoMigration: 'None' } });
  await store.schema.migrate();
  const pool = dumbo({ connectionString: url });
  return {
    store,
    append: (stream: string, rows: readonly StoredEvent[]) =>
      store.appendToStream(
        stream,
        rows.map((e) => ({ type: e.type, data: e.data as unknown as Record<string, unknown> })),
      ),
    async readStream(stream: string) {
      const result = await store.readStream(stream);
      return result.events.length;
    },
    /**
     * The whole log (or what follows `from`) in Emmett's global order, 1,000 at a time, moving
     * `after` on as its own message puller does; the global positions seen.
     */
    async pageAll(from = 0n): Promise<bigint[]> {
      const seen: bigint[] = [];
      let after = from;
      for (;;) {
        const batch = await readMessagesBatch(pool.execute, { after, batchSize: 1000 });
        if (batch.messages.length === 0) break;
        for (const m of batch.messages) seen.push(BigInt(m.metadata.globalPosition));
        after = BigInt(batch.currentGlobalPosition);
      }
      return seen;
    },
    async count(): Promise<number> {
      const result = await pool.execute.query<{ n: number }>(
        SQL`SELECT count(*)::int AS n FROM emt_messages`,
      );
      return Number(result.rows[0]?.n);
    },
    async close() {
      await store.close();
      await pool.close();
    },
  };
}

export type Emmett = Awaited<ReturnType<typeof openEmmett>>;
