/**
 * The UI's types for what the ledger API serves. The API's wire shapes are generated from its
 * schema (`generated/`, `npm run codegen`);
 * `mappers.ts` turns one into the other, so nothing outside lib/ledger knows the GraphQL schema.
 */
import { type HazardCode, POLICIES, type Policy, type SigsegvReason } from '@pasid/domain';
import type { LogPosition } from './log-position';

export type { HazardCode, Policy, SigsegvReason };

/** The domain's policies. */
export const POLICY_NAMES: readonly Policy[] = POLICIES;

export interface PasidEntry {
  pasid: number;
  /** The process holding it. */
  pid: number;
  /** LAZY_REFCOUNT only; null under the other policies. */
  refcount: number | null;
  /** Devices with a PASID table entry for it, sorted. */
  devices: string[];
  /** The holding mm has no live task any more (exit or exec): open files keep it. */
  released: boolean;
}

export interface TaskEntry {
  tid: number;
  pid: number;
  /** The IA32_PASID MSR, null while invalid. */
  msr: number | null;
  /** The #GP fix-up has run in this task (it survives exec). */
  activated: boolean;
  /** The MSR holds a PASID that is not its mm's (as the API says). */
  msrStale: boolean;
}

/** An open fd of a process and the open file (and bond) it refers to. */
export interface OpenFileEntry {
  /** The process whose fd table holds it. */
  pid: number;
  fd: number;
  device: string;
  /** The PASID the file's bond was made with. */
  pasid: number;
  /** The pid whose mm the bond is to: the process that opened the file (another one when inherited). */
  holder: number;
  cloexec: boolean;
}

export interface Bond {
  device: string;
  /** Binds not yet unbound. */
  count: number;
}

export interface ProcessEntry {
  pid: number;
  parent: number | null;
  pasid: number | null;
  tasks: number[];
  bonds: Bond[];
}

export interface HazardEntry {
  code: HazardCode;
  /** SIGSEGV: why the fix-up did not run. */
  reason: SigsegvReason | null;
  /** The version (1-based input event) that caused it. */
  event: number;
  tid: number | null;
  pid: number | null;
  device: string | null;
  pasid: number | null;
  /** A DMAR_FAULT the kernel logged (null when not one). */
  observed: boolean | null;
  /** A logged DMAR_FAULT the lifecycle explains (no entry for it). */
  explained: boolean | null;
  /** What the kernel did, in the domain's words. */
  description: string;
}

/** A system's state after input event `version` (the `replay --json` document, plus processes). */
export interface LedgerState {
  policy: Policy;
  version: number;
  pasids: PasidEntry[];
  tasks: TaskEntry[];
  /** Null when the API does not serve processes: the views then derive them from tasks and PASIDs. */
  processes: ProcessEntry[] | null;
  /** Open fds, by pid then fd. */
  files: OpenFileEntry[];
  freed: number[];
  hazards: HazardEntry[];
}

/** A PASID freed: the value, the process that held it, and the step (version) that freed it. */
export interface FreedEntry {
  event: number;
  pasid: number;
  pid: number | null;
}

export interface SystemSummary {
  name: string;
  policy: Policy;
  maxPasid: number;
  /** Number of input events recorded. */
  version: number;
  /** Number of stored events, input and derived. */
  eventCount: number;
  hazardCount: number;
  pasidCount: number;
}

export type EventKind = 'INPUT' | 'DERIVED';

/** One stored event of the log, with its metadata. */
export interface LedgerEvent {
  id: string;
  /** A decimal string, exact past 2^53 (see log-position.ts). */
  position: LogPosition;
  system: string;
  version: number;
  /** 0 for the input event, 1.. for the events derived from it. */
  index: number;
  kind: EventKind;
  type: string;
  data: Record<string, unknown>;
  actor: string | null;
  correlationId: string | null;
  causationId: string | null;
  recordedAt: string;
  observedAt: string | null;
  hash: string;
}

/** One thing two policies' states disagree on (from the state documents), both sides parsed. */
export interface StateDifference {
  /** The state field: pasids, tasks, freed, hazards, ... */
  field: string;
  /** For a list of records, the item by its first field (`pasid=1`); null otherwise. */
  key: string | null;
  /** Each side's value or item; null when that side has none. */
  left: unknown;
  right: unknown;
  /** The difference in one sentence, naming the policies. */
  description: string;
}

/** Where a history's states under two policies first differ (the API's `divergence`). */
export interface Divergence {
  /** The input (version) after which they differ; they agree before it. */
  version: number;
  /** That input, as recorded. */
  input: Pick<LedgerEvent, 'position' | 'version' | 'index' | 'kind' | 'type' | 'data'>;
  policies: readonly [Policy, Policy];
  differences: StateDifference[];
  /** Why it matters, in the domain's words (explainDivergence). */
  explanation: string;
}

export interface EventPage {
  events: LedgerEvent[];
  /** Position of the last event of the page; pass as `after` for the next one. */
  endCursor: LogPosition | null;
  hasNextPage: boolean;
}

export interface EventFilter {
  system?: string;
  types?: string[];
  kind?: EventKind;
  actor?: string;
  correlationId?: string;
  /** ISO times bounding `recordedAt`. */
  from?: string;
  to?: string;
  fromVersion?: number;
  toVersion?: number;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  problems: { position: LogPosition | null; message: string }[];
}

export type ImportResult =
  | { ok: true; system: string; version: number }
  | { ok: false; message: string; line: number | null };

/** What an API key may do: a reader reads, a writer also imports and records. */
export type KeyRole = 'reader' | 'writer' | 'admin';

/** Who a page is for (lib/session.ts keeps the key; the API says whose it is). */
export type Viewer =
  | { state: 'signed-out' }
  | { state: 'signed-in'; name: string; role: KeyRole }
  /** A key was kept, but the API refuses it now (revoked): signing in again is the way out. */
  | { state: 'refused'; message: string };

/** Whether `viewer` may import and record. */
export const canWrite = (viewer: Viewer): boolean =>
  viewer.state === 'signed-in' && (viewer.role === 'writer' || viewer.role === 'admin');

/** Lanes that concern all of these (each absent: any). */
export interface LaneFilter {
  pid?: number;
  tid?: number;
  pasid?: number;
  device?: string;
  fd?: number;
  code?: HazardCode;
}

/** A bar of a lane: one span, or `count` of a kind merged at this zoom. */
export interface LaneBar {
  key: string;
  from: number;
  /** The step that ended it; null while open at the end of the history. */
  to: number | null;
  tone: 'pasid' | 'pasid-alt' | 'process' | 'task' | 'msr' | 'entry' | 'file' | 'fd';
  label: string;
  title: string;
  count: number;
}

/** A lane's hazards within one step of the window: the first one, and how many. */
export interface LaneMark {
  code: HazardCode;
  version: number;
  lastVersion: number;
  count: number;
  tid: number | null;
  pid: number | null;
  device: string | null;
  pasid: number | null;
}

export type LaneGroup = 'pasids' | 'processes' | 'files' | 'entries' | 'hazards';

export type LaneRow =
  | { kind: 'group'; key: string; group: LaneGroup; label: string; count: number }
  | {
      kind: 'lane';
      key: string;
      group: LaneGroup;
      label: string;
      /** Indented under the lane before it (a task under its process). */
      nested: boolean;
      bars: LaneBar[];
      marks: LaneMark[];
    };

/** A page of what one zoom of the lanes shows (the API's `lanes`). */
export interface LaneWindow {
  version: number;
  policy: Policy;
  from: number;
  to: number;
  /** Rows (headings and lanes) in the window; `rows` holds those from `offset`. */
  total: number;
  offset: number;
  rows: LaneRow[];
  devices: string[];
  codes: HazardCode[];
  hasFiles: boolean;
}
