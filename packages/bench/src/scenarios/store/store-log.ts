import type { InputEvent } from '@pasid/domain';
import type { StoredEvent } from '@pasid/store';
import { absolute, type BenchContext, compared, type Figure, type Scenario, timed } from '../../scenario.js';
import { type CpuSpent, cpuSpent } from './cpu.js';
import { type Emmett, openEmmett } from './emmett.js';
import { benchDatabases, inputs, rawInsert, tryEmmett } from './support.js';

const BATCH = 100;
const BATCHES_PER_WRITER = 20;
const BATCH_WRITERS = 4;
const SINGLE_WRITERS = 8;
const SINGLES_PER_WRITER = 150;
const STREAM_EVENTS = 10_000;
const READS = 10;

/** Every figure of a comparison: ours vs raw, and Emmett vs raw when Emmett ran. */
function trio(name: string, unit: string, ours: number, raw: number, emmett: number | null): Figure[] {
  const figures = [compared(`${name}`, ours, unit, raw)];
  if (emmett !== null) figures.push(compared(`${name}.emmett`, emmett, unit, raw));
  return figures;
}

export const storeLogScenario: Scenario = {
  name: 'store-log',
  async run(ctx: BenchContext) {
    const dbs = await benchDatabases('log');
    const emmett = await tryEmmett(ctx, () => openEmmett(dbs.emmettUrl));
    const figures: Figure[] = [];
    try {
      figures.push(...(await batchAppends(ctx, dbs, emmett)));
      figures.push(...(await singleAppends(ctx, dbs, emmett)));
      figures.push(...(await readOneStream(ctx, dbs, emmett)));
      figures.push(...(await pageTheLog(ctx, dbs, emmett)));
      figures.push(...(await besideAnOpenTransaction(ctx, dbs, emmett)));
    } finally {
      await emmett?.close();
      await dbs.close();
    }
    return figures;
  },
};

type Dbs = Awaited<ReturnType<typeof benchDatabases>>;

/** Rounds of each append measurement, interleaved (ours, raw, Emmett, ours, ...); the best counts. */
const ROUNDS = 2;

const best = (rates: number[]) => Math.max(...rates);

/** CPU per 1,000 events of each side, summed over the rounds; null where /proc could not tell. */
type CpuTally = { node: number; postgres: number | null; events: number };
const tally = (): CpuTally => ({ node: 0, postgres: 0, events: 0 });
function add(t: CpuTally, spent: CpuSpent, events: number): void {
  t.node += spent.node;
  t.postgres = t.postgres === null || spent.postgres === null ? null : t.postgres + spent.postgres;
  t.events += events;
}
function cpuFigures(name: string, sides: Record<string, CpuTally>): Figure[] {
  return Object.entries(sides).flatMap(([side, t]) =>
    t.events === 0
      ? []
      : [
          absolute(`cpu.${name}.${side}.node`, (t.node / t.events) * 1000, 'ms/1k events'),
          ...(t.postgres === null
            ? []
            : [absolute(`cpu.${name}.${side}.postgres`, (t.postgres / t.events) * 1000, 'ms/1k events')]),
        ],
  );
}

async function batchAppends(ctx: BenchContext, dbs: Dbs, emmett: Emmett | null): Promise<Figure[]> {
  const rates = { ours: [] as number[], raw: [] as number[], emmett: [] as number[] };
  // Where the time goes: this process's CPU and its database's server backends', per side.
  const cpu = { ours: tally(), raw: tally(), emmett: tally() };
  const spent = async <T>(
    side: keyof typeof cpu,
    database: string,
    events: () => number,
    fn: () => Promise<T>,
  ) => {
    const { result, spent } = await cpuSpent(dbs.rawPool, database, () => timed(fn));
    add(cpu[side], spent, events());
    return result;
  };
  for (let round = 0; round < ROUNDS; round++) {
    ctx.progress(
      `round ${round + 1}: ${BATCH_WRITERS} writers x ${BATCHES_PER_WRITER} batches of ${BATCH} inputs`,
    );
    const work = Array.from({ length: BATCH_WRITERS }, (_, w) =>
      inputs(BATCH * BATCHES_PER_WRITER, 'LAZY_REFCOUNT', 10 + w),
    );
    const name = (w: number) => `batch-${w}${round === 0 ? '' : `#${round}`}`;
    for (let w = 0; w < BATCH_WRITERS; w++) {
      await dbs.store.createSystem({ name: name(w), policy: 'LAZY_REFCOUNT' }, 'bench');
    }
    const batches: StoredEvent[][][] = work.map(() => []);
    const ours = await spent(
      'ours',
      dbs.names.ours,
      () => batches.flat(2).length,
      () =>
        Promise.all(
          work.map(async (history, w) => {
            for (let b = 0; b < BATCHES_PER_WRITER; b++) {
              const result = await dbs.store.appendToStream(
                name(w),
                history.slice(b * BATCH, (b + 1) * BATCH),
                {
                  actor: 'bench',
                },
              );
              batches[w]?.push(result.events);
            }
          }),
        ),
    );
    const rows = batches.flat(2).length;
    const raw = await spent(
      'raw',
      dbs.names.raw,
      () => rows,
      () =>
        Promise.all(
          batches.map(async (writer) => {
            for (const batch of writer) await rawInsert(dbs.rawPool, batch, round);
          }),
        ),
    );
    rates.ours.push(rows / ours.seconds);
    rates.raw.push(rows / raw.seconds);
    if (emmett) {
      const em = await spent(
        'emmett',
        dbs.names.emmett,
        () => rows,
        () =>
          Promise.all(
            batches.map(async (writer, w) => {
              for (const batch of writer) await emmett.append(name(w), batch);
            }),
          ),
      );
      rates.emmett.push(rows / em.seconds);
    }
  }
  return [
    ...trio(
      'store.append_batch100_4writers',
      'events/s',
      best(rates.ours),
      best(rates.raw),
      emmett ? best(rates.emmett) : null,
    ),
    ...cpuFigures('append_batch100_4writers', cpu),
  ];
}

async function singleAppends(ctx: BenchContext, dbs: Dbs, emmett: Emmett | null): Promise<Figure[]> {
  const rates = { ours: [] as number[], raw: [] as number[], emmett: [] as number[] };
  const appends = SINGLE_WRITERS * SINGLES_PER_WRITER;
  for (let round = 0; round < ROUNDS; round++) {
    ctx.progress(
      `round ${round + 1}: ${SINGLE_WRITERS} writers x ${SINGLES_PER_WRITER} single-input appends`,
    );
    const work = Array.from({ length: SINGLE_WRITERS }, (_, w) =>
      inputs(SINGLES_PER_WRITER, 'MM_EXIT', 100 + w),
    );
    const name = (w: number) => `single-${w}${round === 0 ? '' : `#${round}`}`;
    for (let w = 0; w < SINGLE_WRITERS; w++) {
      await dbs.store.createSystem({ name: name(w), policy: 'MM_EXIT' }, 'bench');
    }
    const appended: StoredEvent[][][] = work.map(() => []);
    const ours = await timed(() =>
      Promise.all(
        work.map(async (history, w) => {
          for (const input of history) {
            const result = await dbs.store.appendToStream(name(w), [input as InputEvent], { actor: 'bench' });
            appended[w]?.push(result.events);
          }
        }),
      ),
    );
    // Raw: 8 clients, each append its own transaction inserting the same rows.
    const raw = await timed(() =>
      Promise.all(
        appended.map(async (writer) => {
          const client = await dbs.rawPool.connect();
          try {
            for (const rows of writer) {
              await client.query('BEGIN');
              await rawInsert(client, rows, round);
              await client.query('COMMIT');
            }
          } finally {
            client.release();
          }
        }),
      ),
    );
    rates.ours.push(appends / ours.seconds);
    rates.raw.push(appends / raw.seconds);
    if (emmett) {
      const em = await timed(() =>
        Promise.all(
          appended.map(async (writer, w) => {
            for (const rows of writer) await emmett.append(name(w), rows);
          }),
        ),
      );
      rates.emmett.push(appends / em.seconds);
    }
  }
  return trio(
    'store.append_single_8writers',
    'appends/s',
    best(rates.ours),
    best(rates.raw),
    emmett ? best(rates.emmett) : null,
  );
}

async function readOneStream(ctx: BenchContext, dbs: Dbs, emmett: Emmett | null): Promise<Figure[]> {
  ctx.progress(`one stream of ${STREAM_EVENTS} events, read ${READS} times`);
  await dbs.store.createSystem({ name: 'read-10k', policy: 'LAZY_REFCOUNT' }, 'bench');
  const history = inputs(STREAM_EVENTS, 'LAZY_REFCOUNT', 7);
  const rows: StoredEvent[] = [];
  for (let at = 0; rows.length < STREAM_EVENTS; at += 50) {
    const result = await dbs.store.appendToStream('read-10k', history.slice(at, at + 50), { actor: 'bench' });
    rows.push(...result.events);
  }
  const count = rows.length;
  for (let at = 0; at < rows.length; at += 1000) {
    await rawInsert(dbs.rawPool, rows.slice(at, at + 1000));
    if (emmett) await emmett.append('read-10k', rows.slice(at, at + 1000));
  }
  // Fresh tables: give both planners their statistics before reading.
  await dbs.store.db.query('ANALYZE events');
  await dbs.rawPool.query('ANALYZE raw_events');
  const repeat = async (fn: () => Promise<unknown>) => {
    await fn();
    return timed(async () => {
      for (let i = 0; i < READS; i++) await fn();
    });
  };
  const ours = await repeat(() => dbs.store.readStream('read-10k'));
  const raw = await repeat(() =>
    dbs.rawPool.query('SELECT * FROM raw_events WHERE system = $1 ORDER BY version, index', ['read-10k']),
  );
  const em = emmett ? await repeat(() => emmett.readStream('read-10k')) : null;
  const rate = (t: { seconds: number }) => (count * READS) / t.seconds;
  return trio('store.read_stream_10k', 'events/s', rate(ours), rate(raw), em ? rate(em) : null);
}

async function pageTheLog(ctx: BenchContext, dbs: Dbs, emmett: Emmett | null): Promise<Figure[]> {
  ctx.progress('paging the whole log in global order, 1,000 at a time');
  await dbs.store.db.query('ANALYZE events');
  await dbs.rawPool.query('ANALYZE raw_events');
  const ours = await timed(async () => {
    const positions: bigint[] = [];
    for (let after = 0n; ; ) {
      const page = await dbs.store.readAll({ after, limit: 1000 });
      if (page.length === 0) return positions;
      for (const e of page) positions.push(e.position);
      after = page.at(-1)?.position ?? after;
    }
  });
  const raw = await timed(async () => {
    let seen = 0;
    for (let after = 0; ; ) {
      const { rows } = await dbs.rawPool.query(
        'SELECT * FROM raw_events WHERE position > $1 ORDER BY position LIMIT 1000',
        [after],
      );
      if (rows.length === 0) return seen;
      seen += rows.length;
      after = Number(rows.at(-1)?.position);
    }
  });
  const em = emmett ? await timed(() => emmett.pageAll()) : null;
  // Completeness: the log was written by concurrent writers; each position once, none missing.
  const positions = ours.result;
  const complete = positions.every((p, i) => p === BigInt(i + 1));
  const [system] = await dbs.store.db.query<{ n: number }>('SELECT sum(event_count)::int AS n FROM systems');
  ctx.progress(
    `completeness: ${positions.length} events paged, ${system?.n} recorded, positions 1..${positions.length} each exactly once: ${complete && positions.length === system?.n ? 'yes' : 'NO'}`,
  );
  if (em && emmett) {
    const unique = new Set(em.result.map(String)).size;
    ctx.progress(
      `completeness (Emmett, paging as its message puller does): ${em.result.length} messages paged, ${unique} distinct, ${await emmett.count()} stored`,
    );
  }
  const n = positions.length;
  return [
    ...trio(
      'store.page_log_1000',
      'events/s',
      n / ours.seconds,
      raw.result / raw.seconds,
      em ? em.result.length / em.seconds : null,
    ),
    {
      name: 'store.page_log_complete',
      value: complete && n === system?.n ? 1 : 0,
      unit: 'bool',
      baseline: null,
      ratio: null,
    },
  ];
}

/**
 * What a reader of the whole log sees of new events while a transaction that has nothing to do
 * with them stays open in another database of the same server (a long import, a forgotten psql
 * session). Ours orders by the log head, so a reader sees every committed event; a
 * transaction-id fence (Emmett's `pg_snapshot_xmin`) holds back everything committed after the
 * oldest open transaction id, which is cluster-wide. The fraction of the new events each reader
 * got, paging on from where it was.
 */
async function besideAnOpenTransaction(
  ctx: BenchContext,
  dbs: Dbs,
  emmett: Emmett | null,
): Promise<Figure[]> {
  const NEW_INPUTS = 200;
  ctx.progress(`${NEW_INPUTS} inputs appended while a transaction stays open in another database`);
  const oursFrom = await dbs.store.headPosition();
  const emmettFrom = emmett ? ((await emmett.pageAll()).at(-1) ?? 0n) : 0n;
  const holder = await dbs.rawPool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()'); // it now holds a transaction id
    await dbs.store.createSystem({ name: 'beside-open', policy: 'LAZY_REFCOUNT' }, 'bench');
    const appended = await dbs.store.appendToStream('beside-open', inputs(NEW_INPUTS, 'LAZY_REFCOUNT', 99), {
      actor: 'bench',
    });
    await emmett?.append('beside-open', appended.events);
    const n = appended.events.length;
    const ours = await dbs.store.readAll({ after: oursFrom, limit: 10_000 });
    const figures = [absolute('store.page_log_beside_open_transaction', ours.length / n, 'fraction')];
    if (emmett) {
      const seen = (await emmett.pageAll(emmettFrom)).length;
      await holder.query('COMMIT');
      const later = (await emmett.pageAll(emmettFrom)).length;
      ctx.progress(
        `beside an open transaction: ours read ${ours.length} of ${n} new events; Emmett ${seen}, and ${later} once it ended`,
      );
      figures.push(absolute('store.page_log_beside_open_transaction.emmett', seen / n, 'fraction'));
    }
    return figures;
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    holder.release();
  }
}
