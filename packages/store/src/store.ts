import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_PASID,
  type DerivedEvent,
  forWhatIf,
  type InputEvent,
  POLICIES,
  type Policy,
  Replayer,
  type State,
  type StateDocument,
  toStateDocument,
} from '@pasid/domain';
import { ApiKeys } from './api-keys.js';
import {
  type BatchArgument,
  batchArgument,
  type DecidedBatch,
  decideBatch,
  SNAPSHOT_INTERVAL,
  writeBatches,
} from './append.js';
import type { Database, Queryable } from './database.js';
import {
  type AppendOptions,
  type AppendResult,
  ConflictError,
  type EventStore,
  type ReadAllOptions,
  RejectedEventError,
  type StateQuery,
  type StoredEvent,
  StoreError,
  type Subscription,
  type SystemInfo,
  type VerifyReport,
} from './event-store.js';
import { GENESIS_HASH } from './hash.js';
import { exportHistoryOf, importHistoryInto } from './history-io.js';
import { rebuildProjections } from './rebuild.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  SYSTEM_COLUMNS,
  type SystemRow,
  toStoredEvent,
  toSystemInfo,
} from './rows.js';
import { decodeState, type EncodedState, encodeState } from './state-codec.js';
import { LiveSubscription, Notifier } from './subscription.js';
import { verifyLog } from './verify.js';

/** At most this many appends share one transaction. */
const MAX_GROUP = 64;

interface QueuedAppend {
  system: string;
  inputs: InputEvent[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A batch decided in a group, waiting for (then given) its place in the log. */
interface Decided {
  system: string;
  batch: DecidedBatch;
  argument: BatchArgument;
  written: { firstPosition: number; recordedAt: Date } | null;
}

type Outcome = AppendResult | Decided | { error: StoreError };

function storedResult(decided: Decided): AppendResult {
  const { system, batch, written } = decided;
  if (!written) throw new Error('a decided batch was not written');
  const events = batch.events.map(
    (e, i): StoredEvent => ({
      id: e.id,
      position: written.firstPosition + i,
      system,
      version: e.version,
      index: e.index,
      kind: e.kind,
      type: e.type,
      data: e.data,
      causationId: e.causation_id,
      correlationId: e.correlation_id,
      actor: e.actor,
      recordedAt: written.recordedAt,
      observedAt: e.observed_at === null ? null : new Date(e.observed_at),
      prevHash: e.prev_hash,
      hash: e.hash,
    }),
  );
  return { system, version: batch.after.version, events, idempotentReplay: false };
}
const PAGE = 5000;

interface CachedState {
  version: number;
  state: State;
}

/** The event store on one database, server or embedded (see `Database`). */
export class PgEventStore implements EventStore {
  readonly apiKeys: ApiKeys;
  private readonly notifier: Notifier;
  /** Each stream's latest state, so that an append decides without reading the log. */
  private readonly cache = new Map<string, CachedState>();

  constructor(readonly db: Database) {
    this.apiKeys = new ApiKeys(db);
    this.notifier = new Notifier(db);
    this.maxInFlight = db.kind === 'postgres' ? 2 : 1;
  }

  /** Typed Prisma access to the projection tables (read them, never write). */
  get prisma() {
    return this.db.prisma;
  }

  async headPosition(): Promise<number> {
    // log_head's row is updated last in every append, so it only ever names committed events.
    const [row] = await this.db.query<{ position: string | number }>(
      'SELECT position FROM log_head WHERE id = 1',
    );
    return Number(row?.position ?? 0);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async createSystem(input: { name: string; policy: Policy; maxPasid?: number }, actor: string) {
    return toSystemInfo(await this.insertSystem(this.db, input, actor));
  }

  private async insertSystem(
    q: Queryable,
    input: { name: string; policy: Policy; maxPasid?: number },
    actor: string,
  ): Promise<SystemRow> {
    const name = input.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
      throw new StoreError('INVALID', 'a system name must be 1 to 200 characters, not blank');
    }
    if (!(POLICIES as readonly string[]).includes(input.policy)) {
      throw new StoreError('INVALID', `policy must be one of ${POLICIES.join(', ')}, got ${input.policy}`);
    }
    const maxPasid = input.maxPasid ?? DEFAULT_MAX_PASID;
    if (!Number.isInteger(maxPasid) || maxPasid < 2 || maxPasid > DEFAULT_MAX_PASID) {
      throw new StoreError('INVALID', `maxPasid must be an integer from 2 to ${DEFAULT_MAX_PASID}`);
    }
    const [row] = await q.query<SystemRow>(
      `INSERT INTO systems (name, policy, max_pasid, version, event_count, live_pasids, hazard_count,
         freed_count, last_hash, last_position, created_by)
       VALUES ($1, $2, $3, 0, 0, 0, 0, 0, $4, 0, $5)
       ON CONFLICT (name) DO NOTHING RETURNING ${SYSTEM_COLUMNS}`,
      [name, input.policy, maxPasid, GENESIS_HASH, actor],
    );
    if (!row) throw new StoreError('ALREADY_EXISTS', `system ${name} already exists`);
    return row;
  }

  async getSystem(name: string): Promise<SystemInfo | null> {
    const [row] = await this.db.query<SystemRow>(`SELECT ${SYSTEM_COLUMNS} FROM systems WHERE name = $1`, [
      name,
    ]);
    return row ? toSystemInfo(row) : null;
  }

  async listSystems(): Promise<SystemInfo[]> {
    const rows = await this.db.query<SystemRow>(`SELECT ${SYSTEM_COLUMNS} FROM systems ORDER BY name`);
    return rows.map(toSystemInfo);
  }

  private async requireSystem(q: Queryable, name: string, lock = false): Promise<SystemRow> {
    const [row] = await q.query<SystemRow>(
      `SELECT ${SYSTEM_COLUMNS} FROM systems WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
      [name],
    );
    if (!row) throw new StoreError('NOT_FOUND', `no system named ${name}`);
    return row;
  }

  /**
   * Appends go through a queue: while one transaction commits, the appends that arrive meanwhile
   * wait and then commit together in the next one (group commit). Each batch is still all or
   * nothing: its checks (stream, expected version, ids, rules) all run before it writes, so a
   * failing batch writes nothing and the others in its group go on. Commits stay serialised
   * on the log head (see the README), but one fsync now serves many appends.
   */
  appendToStream(system: string, inputs: InputEvent[], options: AppendOptions): Promise<AppendResult> {
    if (!Array.isArray(inputs)) return Promise.reject(new StoreError('INVALID', 'events must be a list'));
    return new Promise((resolve, reject) => {
      this.queue.push({ system, inputs, options, resolve, reject });
      this.pump();
    });
  }

  private readonly queue: QueuedAppend[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;

  /**
   * Starts groups while fewer than `maxInFlight` are running. Two on a server: while one waits
   * for its commit (holding the log head), the next already locks, decides and writes its
   * projections; it queues on the log head only for its events. PGlite has one session: one.
   */
  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      this.inFlight += 1;
      void this.runGroup(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runGroup(group: QueuedAppend[]): Promise<void> {
    try {
      await this.commitGroup(group);
    } catch (error) {
      if (group.length === 1 || (error as { commitUncertain?: boolean }).commitUncertain) {
        // A commit whose outcome is unknown is never retried here: that could store a batch twice.
        for (const item of group) item.reject(error);
      } else {
        // Something failed for the group as a whole: commit each alone, so only its cause fails.
        for (const item of group) await this.commitGroup([item]).catch((e: unknown) => item.reject(e));
      }
    }
  }

  private async commitGroup(group: QueuedAppend[]): Promise<void> {
    const { outcomes, streams } = await this.db.transaction(async (tx) => {
      // Stream row locks for the whole group, in name order (no deadlock between groups).
      const names = [...new Set(group.map((g) => g.system))].sort();
      const rows = await tx.query<SystemRow>(
        `SELECT ${SYSTEM_COLUMNS} FROM systems WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`,
        [names],
      );
      const streams = new Map(rows.map((row) => [row.name, { row, state: null as State | null }]));
      // First every check and decision, in memory; then all the writes in one round trip.
      const outcomes: Outcome[] = [];
      for (const item of group) {
        try {
          outcomes.push(await this.decideOne(tx, item, streams.get(item.system)));
        } catch (error) {
          if (!(error instanceof StoreError)) throw error;
          outcomes.push({ error });
        }
      }
      const decided = outcomes.filter((o): o is Decided => 'argument' in o);
      const written = await writeBatches(
        tx,
        decided.map((d) => d.argument),
      );
      decided.forEach((d, i) => {
        d.written = written[i] ?? null;
      });
      return { outcomes, streams };
    });
    for (const [name, stream] of streams) {
      if (stream.state) this.cache.set(name, { version: stream.state.version, state: stream.state });
    }
    let last: { system: string; position: number } | null = null;
    for (const [i, item] of group.entries()) {
      const outcome = outcomes[i];
      if (!outcome) item.reject(new Error('append lost its outcome'));
      else if ('error' in outcome) item.reject(outcome.error);
      else if ('argument' in outcome) {
        const result = storedResult(outcome);
        const tail = result.events.at(-1);
        if (tail) last = { system: tail.system, position: tail.position };
        item.resolve(result);
      } else item.resolve(outcome);
    }
    if (last) this.db.committed(last);
  }

  /** Checks and decides one batch of a group; throws a StoreError when it must not be written. */
  private async decideOne(
    tx: Queryable,
    item: QueuedAppend,
    stream: { row: SystemRow; state: State | null } | undefined,
  ): Promise<Outcome> {
    const { system, inputs, options } = item;
    if (!stream) throw new StoreError('NOT_FOUND', `no system named ${system}`);
    const replay = await this.idempotentReplay(tx, system, inputs);
    if (replay) return replay;
    const row = stream.row;
    if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
      throw new ConflictError(system, options.expectedVersion, row.version);
    }
    const before = stream.state ?? (await this.latestState(tx, row));
    const batch = decideBatch(system, before, inputs, row.last_hash, {
      actor: options.actor,
      correlationId: options.correlationId ?? randomUUID(),
    });
    if (batch.events.length === 0)
      return { system, version: row.version, events: [], idempotentReplay: false };
    // The next batch of this stream in the same group starts from here.
    stream.state = batch.after;
    stream.row = { ...row, version: batch.after.version, last_hash: batch.lastHash };
    return { system, batch, argument: batchArgument(system, before, batch), written: null };
  }

  /** When every input carries an id already stored in this stream: the original batch's events. */
  private async idempotentReplay(
    tx: Queryable,
    system: string,
    inputs: readonly unknown[],
  ): Promise<AppendResult | null> {
    const ids = inputs.map((input) =>
      typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined,
    );
    const given = ids.filter((id): id is string => typeof id === 'string' && UUID.test(id));
    if (given.length === 0) return null;
    const found = await tx.query<{ id: string; system: string; version: number }>(
      'SELECT id, system, version FROM events WHERE id = ANY($1::uuid[])',
      [given],
    );
    if (found.length === 0) return null;
    const byId = new Map(found.map((f) => [f.id, f]));
    for (const [i, id] of ids.entries()) {
      const hit = typeof id === 'string' ? byId.get(id.toLowerCase()) : undefined;
      if (hit && hit.system !== system) {
        throw new RejectedEventError(
          i,
          'id',
          `id ${id} is already recorded in system ${hit.system}`,
          'ID_TAKEN',
        );
      }
      if (!hit || given.length !== inputs.length) {
        const at = ids.findIndex((x) => typeof x === 'string' && byId.has(x.toLowerCase()));
        throw new RejectedEventError(
          at,
          'id',
          `id ${String(ids[at])} is already recorded, but not the whole batch: a retry must resend the same batch`,
          'ID_TAKEN',
        );
      }
    }
    const versions = found.map((f) => f.version);
    const rows = await tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE system = $1 AND version BETWEEN $2 AND $3 ORDER BY position`,
      [system, Math.min(...versions), Math.max(...versions)],
    );
    const [current] = await tx.query<{ version: number }>('SELECT version FROM systems WHERE name = $1', [
      system,
    ]);
    return {
      system,
      version: current?.version ?? Math.max(...versions),
      events: rows.map(toStoredEvent),
      idempotentReplay: true,
    };
  }

  /** The stream's state at the version its locked row says, from the cache or the log. */
  private async latestState(tx: Queryable, row: SystemRow): Promise<State> {
    const cached = this.cache.get(row.name);
    if (cached && cached.version === row.version && cached.state.policy === row.policy) return cached.state;
    return this.recordedState(tx, row, row.version);
  }

  /** The state after `version` as recorded: the nearest snapshot, then the stored steps after it. */
  private async recordedState(
    q: Queryable,
    row: SystemRow,
    version: number,
    preloaded?: { version: number; state: EncodedState } | null,
  ): Promise<State> {
    const snapshot =
      preloaded !== undefined
        ? preloaded
        : (
            await q.query<{ version: number; state: EncodedState }>(
              `SELECT version, state FROM snapshots WHERE system = $1 AND policy = $2 AND version <= $3
               ORDER BY version DESC LIMIT 1`,
              [row.name, row.policy, version],
            )
          )[0];
    const replayer = snapshot
      ? new Replayer(decodeState(snapshot.state))
      : new Replayer({ policy: row.policy as Policy, maxPasid: row.max_pasid });
    let from = snapshot?.version ?? 0;
    while (from < version) {
      const to = Math.min(version, from + PAGE);
      const rows = await q.query<{ version: number; index: number; data: InputEvent | DerivedEvent }>(
        `SELECT version, index, data FROM events WHERE system = $1 AND version > $2 AND version <= $3
         ORDER BY version, index`,
        [row.name, from, to],
      );
      applyRows(replayer, rows);
      from = to;
    }
    return replayer.state;
  }

  /** The state after `version` re-decided under `policy`: what-if snapshots, then inputs in memory. */
  private async whatIfState(row: SystemRow, version: number, policy: Policy): Promise<State> {
    const [snapshot] = await this.db.query<{ version: number; state: EncodedState }>(
      `SELECT version, state FROM snapshots WHERE system = $1 AND policy = $2 AND version <= $3
       ORDER BY version DESC LIMIT 1`,
      [row.name, policy, version],
    );
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
      if (to % SNAPSHOT_INTERVAL === 0) {
        await this.db.query(
          `INSERT INTO snapshots (system, policy, version, state) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT DO NOTHING`,
          [row.name, policy, to, JSON.stringify(encodeState(replayer.state))],
        );
      }
    }
    return replayer.state;
  }

  async state(system: string, query: StateQuery = {}): Promise<State> {
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
         ORDER BY version DESC LIMIT 1) snap ON true
       WHERE s.name = $1`,
      [system, Number.isInteger(query.version) ? query.version : 2_147_483_647],
    );
    if (!found) throw new StoreError('NOT_FOUND', `no system named ${system}`);
    const { snap_version, snap_state, ...row } = found;
    const version = query.version ?? row.version;
    if (!Number.isInteger(version) || version < 0 || version > row.version) {
      throw new StoreError(
        'INVALID',
        `version must be an integer from 0 to ${row.version} for system ${system}`,
      );
    }
    if (query.policy !== undefined && query.policy !== row.policy) {
      if (!(POLICIES as readonly string[]).includes(query.policy)) {
        throw new StoreError('INVALID', `policy must be one of ${POLICIES.join(', ')}`);
      }
      return this.whatIfState(row, version, query.policy);
    }
    const cached = this.cache.get(system);
    if (cached && cached.version === version && cached.state.policy === row.policy) return cached.state;
    const snapshot =
      snap_version === null || snap_state === null ? null : { version: snap_version, state: snap_state };
    return this.recordedState(this.db, row, version, snapshot);
  }

  async stateDocument(system: string, query?: StateQuery): Promise<StateDocument> {
    return toStateDocument(await this.state(system, query));
  }

  async readStream(system: string, options: { fromVersion?: number; toVersion?: number } = {}) {
    await this.requireSystem(this.db, system);
    const rows = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE system = $1 AND version >= $2 AND version <= $3
       ORDER BY version, index`,
      [system, options.fromVersion ?? 0, options.toVersion ?? 2_147_483_647],
    );
    return rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const where = ['position > $1'];
    const params: unknown[] = [options.after ?? 0];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    const f = options.filter ?? {};
    if (f.system !== undefined) add((n) => `system = ${n}`, f.system);
    if (f.types !== undefined) add((n) => `type = ANY(${n}::text[])`, f.types);
    if (f.kind !== undefined) add((n) => `kind = ${n}`, f.kind);
    if (f.actor !== undefined) add((n) => `actor = ${n}`, f.actor);
    if (f.correlationId !== undefined) add((n) => `correlation_id = ${n}`, f.correlationId);
    if (f.from !== undefined) add((n) => `recorded_at >= ${n}`, f.from);
    if (f.to !== undefined) add((n) => `recorded_at <= ${n}`, f.to);
    const limit = Math.max(0, Math.min(Math.trunc(options.limit), 10_000));
    params.push(limit);
    const rows = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
      params,
    );
    return rows.map(toStoredEvent);
  }

  async derivedOf(inputId: string): Promise<StoredEvent[]> {
    if (!UUID.test(inputId)) return [];
    const rows = await this.db.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE causation_id = $1 ORDER BY position`,
      [inputId],
    );
    return rows.map(toStoredEvent);
  }

  async importHistory(
    source: string | AsyncIterable<string | Uint8Array>,
    options: { system?: string; policy?: Policy; actor: string },
  ): Promise<{ system: string; version: number; lastPosition: number }> {
    const result = await this.db.transaction((tx) =>
      importHistoryInto(tx, source, options, (q, input, actor) => this.insertSystem(q, input, actor)),
    );
    this.cache.set(result.system, { version: result.version, state: result.state });
    if (result.lastPosition > 0) this.db.committed({ system: result.system, position: result.lastPosition });
    return { system: result.system, version: result.version, lastPosition: result.lastPosition };
  }

  async *exportHistory(system: string): AsyncIterable<string> {
    yield* exportHistoryOf(this.db, await this.requireSystem(this.db, system));
  }

  subscribe(options: { system?: string; after?: number }): Subscription {
    return new LiveSubscription(this, this.notifier, options);
  }

  verify(): Promise<VerifyReport> {
    return verifyLog(this.db);
  }

  async rebuildProjections() {
    const result = await rebuildProjections(this.db);
    this.cache.clear();
    return result;
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.db.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Applies stored rows (ordered by version, index) as recorded steps: no deciding again. */
export function applyRows(
  replayer: Replayer,
  rows: readonly { version: number; index: number; data: InputEvent | DerivedEvent }[],
): void {
  let input: InputEvent | undefined;
  let derived: DerivedEvent[] = [];
  for (const r of rows) {
    if (r.index === 0) {
      if (input) replayer.applyRecorded(input, derived);
      input = r.data as InputEvent;
      derived = [];
    } else derived.push(r.data as DerivedEvent);
  }
  if (input) replayer.applyRecorded(input, derived);
}
