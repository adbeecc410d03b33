import type { KeyObject } from 'node:crypto';
import type { InputEvent, State, StateDocument } from '@pasid/domain';
import { toStateDocument } from '@pasid/domain';
import { ApiKeys } from './api-keys.js';
import { AppendQueue } from './append-queue.js';
import { listCheckpoints, type SignedCheckpoint, type SignOptions, signCheckpoint } from './checkpoints.js';
import type { Database } from './database.js';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  HazardQuery,
  HazardRecord,
  ImportOptions,
  ReadAllOptions,
  StateQuery,
  StoredEvent,
  Subscription,
  SubscriptionOptions,
  SystemInfo,
  VerifyOptions,
  VerifyReport,
} from './event-store.js';
import { findHazards } from './hazards.js';
import { exportHistoryOf, importHistoryInto } from './history-io.js';
import * as log from './log-reads.js';
import { loadMigrations, type Migration, pendingMigrations } from './migrator.js';
import { type Position, START_POSITION } from './position.js';
import { rebuildProjections } from './rebuild.js';
import { toSystemInfo } from './rows.js';
import { StateAtVersion } from './state-at-version.js';
import { LiveFeed, Notifier } from './subscription.js';
import { findSystem, insertSystem, listSystemRows, type NewSystem, requireSystem } from './systems.js';
import { verifyLog } from './verify.js';

/**
 * The event store on one database, server or embedded (see `Database`): a facade over the data
 * path's homes: appending (`append-queue.ts`), the state at a version (`state-at-version.ts`),
 * log reads (`log-reads.ts`), subscriptions, import/export, verification.
 */
export class PgEventStore implements EventStore {
  readonly apiKeys: ApiKeys;
  private readonly notifier: Notifier;
  private readonly feed: LiveFeed;
  private readonly states: StateAtVersion;
  private readonly appends: AppendQueue;
  private expectedMigrations: Migration[] | undefined;

  constructor(readonly db: Database) {
    this.apiKeys = new ApiKeys(db);
    this.notifier = new Notifier(db);
    this.feed = new LiveFeed(
      this.notifier,
      (options) => this.readAll(options),
      () => this.headPosition(),
    );
    this.states = new StateAtVersion(db);
    this.appends = new AppendQueue(db, this.states);
  }

  /** Typed Prisma access to the tables (read them, never write). */
  get prisma() {
    return this.db.prisma;
  }

  headPosition(): Promise<Position> {
    return log.headPosition(this.db);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  pendingMigrations(): Promise<string[]> {
    this.expectedMigrations ??= loadMigrations();
    return pendingMigrations(this.db, this.expectedMigrations);
  }

  async createSystem(input: NewSystem, actor: string): Promise<SystemInfo> {
    return toSystemInfo(await insertSystem(this.db, input, actor));
  }

  async getSystem(name: string): Promise<SystemInfo | null> {
    const row = await findSystem(this.db, name);
    return row ? toSystemInfo(row) : null;
  }

  async listSystems(): Promise<SystemInfo[]> {
    return (await listSystemRows(this.db)).map(toSystemInfo);
  }

  appendToStream(system: string, inputs: InputEvent[], options: AppendOptions): Promise<AppendResult> {
    return this.appends.append(system, inputs, options);
  }

  state(system: string, query: StateQuery = {}): Promise<State> {
    return this.states.at(system, query);
  }

  versionsToReplay(system: string, queries: readonly StateQuery[]): Promise<number[]> {
    return this.states.versionsToReplay(system, queries);
  }

  async stateDocument(system: string, query?: StateQuery): Promise<StateDocument> {
    return toStateDocument(await this.state(system, query));
  }

  readStream(
    system: string,
    options: { fromVersion?: number; toVersion?: number } = {},
  ): Promise<StoredEvent[]> {
    return log.readStream(this.db, system, options);
  }

  readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return log.readAll(this.db, options);
  }

  async *inputsOf(system: string): AsyncIterable<InputEvent> {
    yield* log.inputsOf(this.db, await requireSystem(this.db, system));
  }

  derivedOf(inputId: string): Promise<StoredEvent[]> {
    return log.derivedOf(this.db, inputId);
  }

  async importHistory(
    source: string | AsyncIterable<string | Uint8Array>,
    options: ImportOptions,
  ): Promise<{ system: string; version: number; lastPosition: Position }> {
    const mode = this.db.kind === 'postgres' ? (options.bulk ?? 'direct') : 'direct';
    const result = await this.db.transaction((tx) =>
      importHistoryInto(tx, source, options, insertSystem, mode),
    );
    this.states.remember(result.system, result.state);
    if (result.lastPosition > START_POSITION)
      this.db.committed({ system: result.system, position: result.lastPosition });
    return { system: result.system, version: result.version, lastPosition: result.lastPosition };
  }

  async *exportHistory(system: string): AsyncIterable<string> {
    yield* exportHistoryOf(this.db, await requireSystem(this.db, system));
  }

  subscribe(options: SubscriptionOptions): Subscription {
    return this.feed.subscribe(options);
  }

  livePosition(): Position | null {
    return this.feed.position();
  }

  verify(options?: VerifyOptions): Promise<VerifyReport> {
    return verifyLog(this.db, options);
  }

  signCheckpoint(privateKey: KeyObject, options?: SignOptions): Promise<SignedCheckpoint | null> {
    return signCheckpoint(this.db, privateKey, options);
  }

  checkpoints(after?: number): Promise<SignedCheckpoint[]> {
    return listCheckpoints(this.db, after);
  }

  async rebuildProjections() {
    const result = await rebuildProjections(this.db);
    this.states.forget();
    return result;
  }

  hazards(query: HazardQuery): Promise<HazardRecord[]> {
    return findHazards(this.db, query);
  }

  async close(): Promise<void> {
    await this.feed.close();
    await this.notifier.close();
    await this.db.close();
  }
}
