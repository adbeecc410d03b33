import type { KeyObject } from 'node:crypto';
import type { DerivedEvent, InputEvent, Policy, State, StateDocument } from '@pasid/domain';
import type { CheckpointReport, SignedCheckpoint, SignOptions } from './checkpoint-types.js';
import type { Position } from './position.js';
import type { HazardRow } from './projections.js';

/**
 * The public surface of the event store: what the CLI and the API may call. The Postgres and
 * PGlite implementations sit behind it; nothing outside this package writes SQL.
 */

/** A traced machine: one stream of the log. */
export interface SystemInfo {
  name: string;
  policy: Policy;
  maxPasid: number;
  /** Input events recorded so far (the stream version). */
  version: number;
  createdAt: Date;
  createdBy: string;
  /** Events stored, input and derived. */
  eventCount: number;
  livePasids: number;
  hazardCount: number;
  /** Global position of the stream's last event (0 when empty). */
  lastPosition: Position;
}

export type EventKind = 'input' | 'derived';

/** One row of the `events` table, with all its audit metadata. */
export interface StoredEvent {
  /** UUID: the input's own `id` when the client gave one, else generated. */
  id: string;
  /** Global position in the whole log, gap-free in commit order. */
  position: Position;
  system: string;
  /** The input event's version; derived events share it. */
  version: number;
  /** 0 for the input, 1.. for the derived events in the order decided. */
  index: number;
  kind: EventKind;
  type: string;
  /** The event as the domain knows it (`type` included). */
  data: InputEvent | DerivedEvent;
  /** The id of the input that led to a derived event; null for inputs. */
  causationId: string | null;
  /** The id of the batch (one append call). */
  correlationId: string;
  /** Who recorded it (an API key's name, `cli`, ...). */
  actor: string;
  /** The database's clock at commit. */
  recordedAt: Date;
  /** When it was observed (`at` of the input), if given. */
  observedAt: Date | null;
  /** The previous event's hash in the same stream (64 zeros for the first). */
  prevHash: string;
  /** Hex SHA-256 chained to the previous event of the same stream. */
  hash: string;
}

export interface AppendOptions {
  actor: string;
  /** Optimistic concurrency: the version the stream must be at. */
  expectedVersion?: number;
  correlationId?: string;
}

export interface AppendResult {
  system: string;
  /** Version after the append. */
  version: number;
  /** Stored events of this batch, input and derived, in log order. */
  events: StoredEvent[];
  /** True when every input's id was already stored: nothing was written, the original is returned. */
  idempotentReplay: boolean;
}

export interface EventFilter {
  system?: string;
  types?: string[];
  kind?: EventKind;
  actor?: string;
  correlationId?: string;
  /** Inclusive bounds on `recordedAt`. */
  from?: Date;
  to?: Date;
  /** Inclusive bounds on the version (meaningful with `system`). */
  fromVersion?: number;
  toVersion?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with position > after. */
  after?: Position;
  limit: number;
  filter?: EventFilter;
}

export interface StateQuery {
  /** State after input event `version` (latest when absent). */
  version?: number;
  /** Re-decide the stored inputs under another policy (what-if), in memory. */
  policy?: Policy;
}

export interface VerifyOptions {
  /** Check the signed checkpoints against this Ed25519 public key (and the log against them). */
  publicKey?: KeyObject;
  /** Checkpoints the auditor kept outside the database: each must still be in the log, unchanged. */
  kept?: SignedCheckpoint[];
}

export interface VerifyReport {
  /** No breach, and no checkpoint finding when checkpoints were checked. */
  ok: boolean;
  eventsChecked: number;
  systemsChecked: number;
  /** The first breach per stream: a changed, removed or reordered event. */
  breaches: { system: string; position: Position | null; version: number | null; reason: string }[];
  /** With `VerifyOptions.publicKey`: the checkpoints checked and what was found. */
  checkpoints?: CheckpointReport;
}

export interface Subscription extends AsyncIterable<StoredEvent> {
  close(): Promise<void>;
}

/** What a subscription delivers: the events after `after` (the start when absent) that match, then live ones. */
export interface SubscriptionOptions {
  system?: string;
  /** Exclusive: events with position > after. */
  after?: Position;
  types?: string[];
  kind?: EventKind;
}

export interface ImportOptions {
  /** The system to create; the header's name when absent. */
  system?: string;
  policy?: Policy;
  actor: string;
  /**
   * Refuse a header naming another system than `system` (the API's promise); without it the
   * history is imported under `system` (a copy under a new name).
   */
  headerMustMatch?: boolean;
  /**
   * Called as the import goes (after each copy of a few thousand events, and once at the end):
   * lines read, inputs decided, events written, bytes of the source read so far.
   */
  onProgress?: (progress: ImportProgress) => void;
  /**
   * How the events reach the log (Postgres; PGlite is always `direct`). `direct` (the default):
   * written once, straight into the log, which other writers then wait for until the import
   * commits. `staged`: written to a staging table and then to the log, so other writers wait
   * only for that last insert; for a source that arrives at someone else's pace (an upload).
   */
  bulk?: 'direct' | 'staged';
}

/** How far an import has got. */
export interface ImportProgress {
  lines: number;
  inputs: number;
  events: number;
  bytes: number;
}

export interface EventStore {
  readonly apiKeys: ApiKeyStore;
  createSystem(
    input: { name: string; policy: Policy; maxPasid?: number },
    actor: string,
  ): Promise<SystemInfo>;
  getSystem(name: string): Promise<SystemInfo | null>;
  listSystems(): Promise<SystemInfo[]>;
  /** The position of the last committed event of the whole log (0 when empty). */
  headPosition(): Promise<Position>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** The names of the migrations this code expects that the database has not applied. */
  pendingMigrations(): Promise<string[]>;
  /** Decides and appends a batch in one transaction, all or nothing. */
  appendToStream(system: string, inputs: InputEvent[], options: AppendOptions): Promise<AppendResult>;
  /** Imports a history file (text or chunks): creates the system from the header or options. */
  importHistory(
    source: string | AsyncIterable<string | Uint8Array>,
    options: ImportOptions,
  ): Promise<{ system: string; version: number; lastPosition: Position }>;
  /** Streams a stored history back as history-file lines (header first, inputs only). */
  exportHistory(system: string): AsyncIterable<string>;
  readStream(system: string, options?: { fromVersion?: number; toVersion?: number }): Promise<StoredEvent[]>;
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** A stream's input events in version order, read a page at a time (any length of history). */
  inputsOf(system: string): AsyncIterable<InputEvent>;
  /** The derived events of one input, by the input's id. */
  derivedOf(inputId: string): Promise<StoredEvent[]>;
  state(system: string, query?: StateQuery): Promise<State>;
  stateDocument(system: string, query?: StateQuery): Promise<StateDocument>;
  /**
   * The versions each state query would replay (from the nearest snapshot, or the nearest
   * in-memory what-if snapshot), answered in one round trip without replaying: what a state
   * read costs. With the systems' `eventCount` (the events `verify` walks) it prices long work up front.
   */
  versionsToReplay(system: string, queries: readonly StateQuery[]): Promise<number[]>;
  /**
   * Catch up from the log after `after`, then live; no gap, no duplicate. Every subscription of
   * one store shares one LISTEN and one reader of the log's tail (the live feed).
   */
  subscribe(options: SubscriptionOptions): Subscription;
  /** The last log position the live feed has passed on, or null when nobody subscribes. */
  livePosition(): Position | null;
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  /**
   * Signs the log's head with the operator's Ed25519 key after checking the events since the
   * last checkpoint; null when `onlyIfMoved` and nothing was appended since.
   */
  signCheckpoint(privateKey: KeyObject, options?: SignOptions): Promise<SignedCheckpoint | null>;
  /** The stored checkpoints after `seq` (all by default), in order: what auditors export and keep. */
  checkpoints(after?: number): Promise<SignedCheckpoint[]>;
  rebuildProjections(): Promise<{ systems: number; equal: boolean; differences: string[] }>;
  /** Hazards by system and/or code, a page at a time in (system, seq) order (see `hazards.ts`). */
  hazards(query: HazardQuery): Promise<HazardRecord[]>;
  close(): Promise<void>;
}

/** A page of `hazards`: by system, by code, or both; after a (system, seq) key, in that order. */
export interface HazardQuery {
  system?: string;
  code?: string;
  /** The last row of the previous page (keyset paging: no row skipped or repeated). */
  after?: { system: string; seq: number };
  /** At most this many rows (1 to 1,000). */
  limit: number;
}

/** A row of `hazards` with the system it belongs to. */
export interface HazardRecord extends HazardRow {
  system: string;
}

/** Errors carry codes; the transports map codes (the store never knows about HTTP or GraphQL). */
export class StoreError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT' | 'REJECTED' | 'INVALID' | 'ALREADY_EXISTS',
    message: string,
    /** The argument at fault, when one is (`name`, `policy`, ...). */
    readonly argument?: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export class ConflictError extends StoreError {
  constructor(
    readonly system: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super('CONFLICT', `system ${system} is at version ${actualVersion}, not the expected ${expectedVersion}`);
  }
}

/** An input the rules (or validation) refuse: which one of the batch, which field, why. */
export class RejectedEventError extends StoreError {
  constructor(
    readonly eventIndex: number,
    readonly field: string | undefined,
    readonly reason: string,
    readonly rejectionCode: string,
  ) {
    super('REJECTED', `event ${eventIndex}: ${reason}`);
  }
}

/**
 * An input id already recorded with other content (another type, fields, `at`, batch or
 * expected version), or recorded as a derived event's id: not a retry, so nothing is replayed.
 */
export class IdConflictError extends StoreError {
  readonly field = 'id';
  constructor(
    readonly eventIndex: number,
    readonly id: string,
    readonly reason: string,
  ) {
    super('CONFLICT', `event ${eventIndex}: id ${id} ${reason}`);
  }
}

/** A history file that cannot be imported: the line, the field when one is at fault, and why. */
export class HistoryImportError extends StoreError {
  constructor(
    readonly line: number,
    readonly field: string | undefined,
    readonly reason: string,
    readonly rejectionCode: string,
  ) {
    super('INVALID', `line ${line}: ${reason}`);
  }
}

export type ApiKeyRole = 'reader' | 'writer' | 'admin';

export interface ApiKeyInfo {
  name: string;
  role: ApiKeyRole;
  createdAt: Date;
  revokedAt: Date | null;
}

/** API keys, stored hashed (SHA-256 of the token); the plain token is shown once, at creation. */
export interface ApiKeyStore {
  create(name: string, role: ApiKeyRole): Promise<{ token: string; key: ApiKeyInfo }>;
  /** The live key a token belongs to, or null (unknown or revoked). */
  authenticate(token: string): Promise<ApiKeyInfo | null>;
  revoke(name: string): Promise<boolean>;
  list(): Promise<ApiKeyInfo[]>;
}

export interface OpenStoreOptions {
  /** A Postgres server; when absent, the embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data folder (default `.data/`); `memory://` for a throwaway one. */
  dataDir?: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
}
