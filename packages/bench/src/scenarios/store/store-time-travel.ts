import { applyEvent, type LedgerEvent, Replayer, type StateDraft } from '@pasid/domain';
import { type BenchContext, compared, type Figure, type Scenario } from '../../scenario.js';
import { openEmmett } from './emmett.js';
import { benchDatabases, inputs, now, percentile, tryEmmett } from './support.js';

const VERSIONS = 100_000;
const SAMPLES = 200;
const SLOW_SAMPLES = 8;
const CONFIG = { policy: 'LAZY_REFCOUNT', maxPasid: 1 << 20 } as const;

/** Seeded random versions, so every run asks the same questions. */
function versions(count: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: count }, () => {
    a = (Math.imul(a, 1_103_515_245) + 12_345) >>> 0;
    return 1 + (a % VERSIONS);
  });
}

export const storeTimeTravelScenario: Scenario = {
  name: 'store-time-travel',
  async run(ctx: BenchContext) {
    const dbs = await benchDatabases('travel');
    const figures: Figure[] = [];
    try {
      ctx.progress(`importing a ${VERSIONS.toLocaleString('en-US')}-version system`);
      const history = inputs(VERSIONS, CONFIG.policy, 4242);
      const text = history.map((e) => `${JSON.stringify(e)}\n`);
      await dbs.store.importHistory(
        (async function* () {
          for (let at = 0; at < text.length; at += 5000) yield text.slice(at, at + 5000).join('');
        })(),
        { system: 'travel', policy: CONFIG.policy, actor: 'bench' },
      );
      // Ours: nearest snapshot, then at most SNAPSHOT_INTERVAL versions of the log.
      const ours: number[] = [];
      for (const version of versions(SAMPLES, 7)) {
        const t = now();
        await dbs.store.state('travel', { version });
        ours.push(now() - t);
      }
      // Raw baseline: what a store without snapshots does, read the log up to the version and fold it.
      ctx.progress('baseline: folding the log from the start (no snapshots)');
      const raw: number[] = [];
      for (const version of versions(SLOW_SAMPLES, 7)) {
        const t = now();
        const rows = await dbs.store.db.query<{ index: number; data: LedgerEvent }>(
          'SELECT index, data FROM events WHERE system = $1 AND version <= $2 ORDER BY version, index',
          ['travel', version],
        );
        const replayer = new Replayer(CONFIG);
        const draft = replayer.state as StateDraft;
        for (const row of rows) applyEvent(draft, row.data);
        raw.push(now() - t);
      }
      figures.push(compared('store.state_at_version_p99', percentile(ours, 99), 'ms', percentile(raw, 99)));
      figures.push(compared('store.state_at_version_p50', percentile(ours, 50), 'ms', percentile(raw, 50)));
      const emmett = await tryEmmett(ctx, () => openEmmett(dbs.emmettUrl));
      if (emmett) {
        try {
          ctx.progress('Emmett: the same rows, aggregated up to each version');
          const rows = await dbs.store.readStream('travel');
          const stream: number[] = [];
          for (let at = 0; at < rows.length; at += 2000) {
            await emmett.append('travel', rows.slice(at, at + 2000));
          }
          for (const r of rows) stream.push(r.version);
          const lastOfVersion = new Map<number, number>();
          for (const [i, v] of stream.entries()) lastOfVersion.set(v, i + 1);
          const times: number[] = [];
          for (const version of versions(SLOW_SAMPLES, 7)) {
            const t = now();
            await emmett.store.aggregateStream<StateDraft, { type: string; data: Record<string, unknown> }>(
              'travel',
              {
                initialState: () => new Replayer(CONFIG).state as StateDraft,
                evolve: (state: StateDraft, event: { data: Record<string, unknown> }) => {
                  applyEvent(state, event.data as unknown as LedgerEvent);
                  return state;
                },
                read: { to: BigInt(lastOfVersion.get(version) ?? 0) },
              },
            );
            times.push(now() - t);
          }
          figures.push(
            compared('store.state_at_version_p99.emmett', percentile(times, 99), 'ms', percentile(raw, 99)),
          );
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
