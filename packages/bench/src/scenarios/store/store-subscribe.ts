import { randomUUID } from 'node:crypto';
import type { InputEvent } from '@pasid/domain';
import { openEventStore } from '@pasid/store';
import pg from 'pg';
import { type BenchContext, compared, type Figure, type Scenario } from '../../scenario.js';
import { openEmmett } from './emmett.js';
import {
  benchDatabases,
  inputs,
  now,
  percentile,
  tryEmmett,
  databaseUrl as withDatabase,
} from './support.js';

const APPENDS = 300;
const GAP_MS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Time from calling append to a subscriber in another connection holding the event. */
export const storeSubscribeScenario: Scenario = {
  name: 'store-subscribe',
  async run(ctx: BenchContext) {
    const dbs = await benchDatabases('subscribe');
    const figures: Figure[] = [];
    try {
      const history = inputs(APPENDS, 'MM_EXIT', 9).map((e) => ({ ...e, id: randomUUID() }) as InputEvent);
      await dbs.store.createSystem({ name: 'live', policy: 'MM_EXIT' }, 'bench');
      // The subscriber: another store (own pool, own LISTEN connection), as another process would be.
      const url = (await dbs.store.db.query<{ u: string }>('SELECT current_database() AS u'))[0]?.u ?? '';
      const subscriberStore = await openEventStore({ databaseUrl: withDatabase(url), migrate: false });
      const sent = new Map<string, number>();
      const ours: number[] = [];
      const subscription = subscriberStore.subscribe({ system: 'live', after: 0n });
      const receiving = (async () => {
        for await (const event of subscription) {
          const t = sent.get(event.id);
          if (t !== undefined) ours.push(now() - t);
          if (ours.length === APPENDS) break;
        }
      })();
      await sleep(200);
      ctx.progress(`${APPENDS} appends, ${GAP_MS} ms apart, to a live subscriber`);
      for (const input of history) {
        sent.set(input.id as string, now());
        await dbs.store.appendToStream('live', [input], { actor: 'bench' });
        await sleep(GAP_MS);
      }
      await Promise.race([receiving, sleep(10_000)]);
      await subscription.close();
      await subscriberStore.close();

      // Raw: INSERT + pg_notify in one transaction, a LISTEN connection receives it.
      const listener = new pg.Client({ connectionString: withDatabase(await rawDatabase(dbs.rawPool)) });
      await listener.connect();
      await listener.query('LISTEN raw_events');
      const rawSent = new Map<string, number>();
      const raw: number[] = [];
      listener.on('notification', (m) => {
        const t = rawSent.get(m.payload ?? '');
        if (t !== undefined) raw.push(now() - t);
      });
      for (let i = 0; i < APPENDS; i++) {
        const id = randomUUID();
        rawSent.set(id, now());
        const client = await dbs.rawPool.connect();
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO raw_events (system, version, index, kind, type, data, id, correlation_id, actor, prev_hash, hash)
           VALUES ('live', $1, 0, 'input', 'ProcessCreated', '{}', $2, 'c', 'bench', '', '')`,
          [i + 1, id],
        );
        await client.query('SELECT pg_notify($1, $2)', ['raw_events', id]);
        await client.query('COMMIT');
        client.release();
        await sleep(GAP_MS);
      }
      await sleep(200);
      await listener.end();
      figures.push(
        compared('store.subscriber_delivery_p99', percentile(ours, 99), 'ms', percentile(raw, 99)),
        compared('store.subscriber_delivery_p50', percentile(ours, 50), 'ms', percentile(raw, 50)),
      );
      ctx.progress(`delivered ${ours.length}/${APPENDS} (ours), ${raw.length}/${APPENDS} (raw NOTIFY)`);

      const emmett = await tryEmmett(ctx, () => openEmmett(dbs.emmettUrl));
      if (emmett) {
        try {
          const times: number[] = [];
          const emSent = new Map<string, number>();
          const consumer = emmett.store.consumer();
          consumer.reactor<{ type: string; data: { id?: string } }>({
            processorId: 'bench',
            eachMessage: async (message) => {
              const t = emSent.get(message.data.id ?? '');
              if (t !== undefined) times.push(now() - t);
            },
          });
          const running = consumer.start();
          await sleep(300);
          for (const input of history) {
            emSent.set(input.id as string, now());
            await emmett.store.appendToStream('live', [
              { type: input.type, data: input as unknown as Record<string, unknown> },
            ]);
            await sleep(GAP_MS);
          }
          await sleep(1000);
          await consumer.stop();
          await Promise.race([running, sleep(2000)]);
          await consumer.close();
          ctx.progress(`delivered ${times.length}/${APPENDS} (Emmett consumer, default polling)`);
          if (times.length > 0) {
            figures.push(
              compared(
                'store.subscriber_delivery_p99.emmett',
                percentile(times, 99),
                'ms',
                percentile(raw, 99),
              ),
            );
          }
        } finally {
          await emmett.close();
        }
      }
    } finally {
      await dbs.close();
    }
    return figures;
  },
};

async function rawDatabase(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ u: string }>('SELECT current_database() AS u');
  return rows[0]?.u ?? '';
}
