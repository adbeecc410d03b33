import { forWhatIf, type InputEvent, POLICIES, type Policy, Replayer, type State } from '@pasid/domain';
import type { Queryable } from './database.js';
import { type StateQuery, StoreError } from './event-store.js';
import { applyRows, type StepRow } from './replay.js';
import { SYSTEM_COLUMNS, type SystemRow } from './rows.js';
import { SNAPSHOT_INTERVAL } from './snapshot-policy.js';
import { decodeState, type EncodedState, encodeState, SNAPSHOT_FORMAT } from './state-codec.js';

/** Only snapshots of the format this code reads (see `SNAPSHOT_FORMAT`); others are never decoded. */
const CURRENT_FORMAT = `format = ${SNAPSHOT_FORMAT}`;

/** Versions replayed per read: bounds memory while replaying a long stretch of the log. */
const PAGE = 5000;
const NO_UPPER_BOUND = 2_147_483_647;
/** What-if snapshots kept in memory (a few MB for typical states). */
const WHAT_IF_SNAPSHOTS = 512;

type Snapshot = { version: number; state: EncodedState };

/**
 * The one home of "the state at a version": range checks, the latest-state cache, snapshots,
 * replay of recorded steps, and what-if re-decisions under another policy.
 */
export class StateAtVersion {
  /**
   * Each stream's latest state. Why here: an append must decide on the current state and would
   * otherwise replay from the last snapshot on every call; the locked row's version tells whether
   * the entry is still current, so it is never stale (another process's append moves the version).
   */
  private readonly latestByStream = new Map<string, { version: number; state: State }>();

  constructor(private readonly db: Queryable) {}

  /** Remembers a stream's state after a commit (the next append decides on it without a read). */
  remember(system: string, state: State): void {
    this.latestByStream.set(system, { version: state.version, state });
  }

  forget(): void {
    this.latestByStream.clear();
  }

  /** The stream's state at the version its (locked) row says: from the cache, else the log. */
  latest(q: Queryable, row: SystemRow): Promise<State> {
    const cached = this.cached(row, row.version);
    return cached ? Promise.resolve(cached) : this.recorded(q, row, row.version);
  }

  /** The state after `query.version` (latest when absent), under `query.policy` (the stream's when absent). */
  async at(system: string, query: StateQuery = {}): Promise<State> {
    // The stream's row and its nearest snapshot in one round trip (time travel is latency-bound).
    const [found] = await this.db.query<
      SystemRow & { snap_version: number | null; snap_state: EncodedState | null }
    >(
      `SELECT ${SYSTEM_COLUMNS.split(',')
        .map((c) => `s.${c.trim()}`)
        .join(', ')}, snap.version AS snap_version, snap.state AS snap_state
       FROM systems s LEFT JOIN LATERAL (
         SELECT version, state FROM snapshots
         WHERE system = s.name AND policy = s.policy AND version <= LEAST($2, s.version)
           AND ${CURRENT_FORMAT}
         ORDER BY version DESC LIMIT 1) snap ON true
       WHERE s.name = $1`,
      [system, Number.isInteger(query.version) ? query.version : NO_UPPER_BOUND],
    );
    if (!found) throw new StoreError('NOT_FOUND', `no system named ${system}`);
    const { snap_version, snap_state, ...row } = found;
    const version = checkVersion(row, query.version);
    if (query.policy !== undefined && query.policy !== row.policy) {
      if (!(POLICIES as readonly string[]).includes(query.policy)) {
        throw new StoreError('INVALID', `policy must be one of ${POLICIES.join(', ')}`);
      }
      return this.whatIf(row, version, query.policy);
    }
    const cached = this.cached(row, version);
    if (cached) return cached;
    const snapshot =
      snap_version === null || snap_state === null ? null : { version: snap_version, state: snap_state };
    return this.recorded(this.db, row, version, snapshot);
  }

  /**
   * How many versions each query would replay: from the nearest snapshot (recorded states), the
   * nearest in-memory what-if snapshot (what-ifs), none when the latest state is cached. One round
   * trip for all of them (the stream's row and its snapshots' versions), so an API can price a
   * request before any replay starts. An unknown stream or a version out of range counts 0: the
   * read itself refuses it.
   */
  async versionsToReplay(system: string, queries: readonly StateQuery[]): Promise<number[]> {
    const [found] = await this.db.query<SystemRow & { snaps: number[] }>(
      `SELECT ${SYSTEM_COLUMNS}, ARRAY(SELECT version FROM snapshots
         WHERE system = s.name AND policy = s.policy AND version <= s.version AND ${CURRENT_FORMAT}
         ORDER BY version) AS snaps
       FROM systems s WHERE s.name = $1`,
      [system],
    );
    if (!found) return queries.map(() => 0);
    const { snaps, ...row } = found;
    return queries.map((query) => {
      const version = query.version ?? row.version;
      if (!Number.isInteger(version) || version < 0 || version > row.version) return 0;
      if (query.policy !== undefined && query.policy !== row.policy) {
        return version - this.nearestWhatIf(row, version, query.policy);
      }
      if (this.cached(row, version)) return 0;
      let from = 0;
      for (const v of snaps) if (v <= version) from = v;
      return version - from;
    });
  }

  private cached(row: SystemRow, version: number): State | null {
    const cached = this.latestByStream.get(row.name);
    return cached && cached.version === version && cached.state.policy === row.policy ? cached.state : null;
  }

  /** The state after `version` as recorded: the nearest snapshot, then the stored steps after it. */
  private async recorded(
    q: Queryable,
    row: SystemRow,
    version: number,
    preloaded?: Snapshot | null,
  ): Promise<State> {
    const snapshot =
      preloaded !== undefined
        ? preloaded
        : (
            await q.query<Snapshot>(
              `SELECT version, state FROM snapshots WHERE system = $1 AND policy = $2 AND version <= $3
               AND ${CURRENT_FORMAT} ORDER BY version DESC LIMIT 1`,
              [row.name, row.policy, version],
            )
          )[0];
    const replayer = snapshot
      ? new Replayer(decodeState(snapshot.state))
      : new Replayer({ policy: row.policy as Policy, maxPasid: row.max_pasid });
    let from = snapshot?.version ?? 0;
    while (from < version) {
      const to = Math.min(version, from + PAGE);
      const rows = await q.query<StepRow>(
        `SELECT version, index, data FROM events WHERE system = $1 AND version > $2 AND version <= $3
         ORDER BY version, index`,
        [row.name, from, to],
      );
      applyRows(replayer, rows);
      from = to;
    }
    return replayer.state;
  }

  /**
   * What-if states at multiples of SNAPSHOT_INTERVAL, in this process's memory only: a read never
   * writes to the database (the log and its recorded snapshots stay the only stored truth), yet a
   * second question under the same policy starts from where the first left off.
   */
  private readonly whatIfSnapshots = new Map<string, EncodedState>();

  /** The version of the nearest what-if snapshot at or before `version` (0: replay from the start). */
  private nearestWhatIf(row: SystemRow, version: number, policy: Policy): number {
    for (let v = Math.floor(version / SNAPSHOT_INTERVAL) * SNAPSHOT_INTERVAL; v > 0; v -= SNAPSHOT_INTERVAL) {
      if (this.whatIfSnapshots.has(whatIfKey(row, policy, v))) return v;
    }
    return 0;
  }

  private rememberWhatIf(key: string, state: EncodedState): void {
    if (this.whatIfSnapshots.size >= WHAT_IF_SNAPSHOTS) {
      const oldest = this.whatIfSnapshots.keys().next().value;
      if (oldest !== undefined) this.whatIfSnapshots.delete(oldest);
    }
    this.whatIfSnapshots.set(key, state);
  }

  /** The state after `version` re-decided under `policy`: in-memory what-if snapshots, then inputs. */
  private async whatIf(row: SystemRow, version: number, policy: Policy): Promise<State> {
    const keyOf = (v: number) => whatIfKey(row, policy, v);
    const start = this.nearestWhatIf(row, version, policy);
    const startState = start > 0 ? this.whatIfSnapshots.get(keyOf(start)) : undefined;
    const snapshot: Snapshot | undefined = startState ? { version: start, state: startState } : undefined;
    const replayer = snapshot
      ? new Replayer(decodeState(snapshot.state))
      : new Replayer({ policy, maxPasid: row.max_pasid });
    // Versions stay aligned with the stored inputs: `forWhatIf` makes every recorded input
    // acceptable under any policy, so a rejection here is a broken log, not a policy difference.
    let from = snapshot?.version ?? 0;
    while (from < version) {
      const to = Math.min(version, (Math.floor(from / SNAPSHOT_INTERVAL) + 1) * SNAPSHOT_INTERVAL);
      const rows = await this.db.query<{ data: InputEvent }>(
        `SELECT data FROM events WHERE system = $1 AND index = 0 AND version > $2 AND version <= $3
         ORDER BY version`,
        [row.name, from, to],
      );
      for (const r of rows) {
        const decision = replayer.apply(forWhatIf(r.data));
        if (!decision.ok) {
          throw new StoreError(
            'INVALID',
            `system ${row.name}: input ${replayer.version + 1} cannot be replayed under ${policy}: ${decision.rejection.message}`,
          );
        }
      }
      from = to;
      if (to % SNAPSHOT_INTERVAL === 0) this.rememberWhatIf(keyOf(to), encodeState(replayer.state));
    }
    return replayer.state;
  }
}

/** Keyed by the stream's creation too, so a dropped and re-created name never reuses a state. */
function whatIfKey(row: SystemRow, policy: Policy, version: number): string {
  return `${row.name}\u0000${row.created_at.valueOf()}\u0000${policy}\u0000${version}`;
}

/** The version a query names (the latest when absent), checked against the stream's range. */
function checkVersion(row: SystemRow, requested: number | undefined): number {
  const version = requested ?? row.version;
  if (!Number.isInteger(version) || version < 0 || version > row.version) {
    throw new StoreError(
      'INVALID',
      `version must be an integer from 0 to ${row.version} for system ${row.name}`,
    );
  }
  return version;
}
