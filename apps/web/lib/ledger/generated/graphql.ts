/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CreateSystemInput = {
  /** 2 to 1048576. */
  maxPasid?: number;
  /** 1 to 200 characters. */
  name: string;
  policy?: Policy;
};

/** Narrows a list of events; every field given must match. */
export type EventFilterInput = {
  /** The API key name (or `cli`) that recorded it. */
  actor?: string | null | undefined;
  /** One batch: a recordEvents or importHistory call. */
  correlationId?: string | number | null | undefined;
  /** Recorded at or after. */
  from?: string | null | undefined;
  kind?: EventKind | null | undefined;
  /** Recorded at or before. */
  to?: string | null | undefined;
  /** Event types, input or derived (e.g. HazardDetected). */
  types?: Array<string> | null | undefined;
};

/** INPUT: recorded by a client; DERIVED: decided by the domain from an input. */
export type EventKind =
  | 'DERIVED'
  | 'INPUT';

/** A fact about the traced system the rules detected. */
export type HazardCode =
  | 'DMAR_FAULT'
  | 'PASID_ENTRY_BUSY'
  | 'PASID_EXHAUSTED'
  | 'PASID_FREED_WHILE_BOUND'
  | 'REFCOUNT_UNDERFLOW'
  | 'SIGSEGV'
  | 'UNBALANCED_PUT'
  | 'WRONG_ADDRESS_SPACE';

/** The input events a client or a trace records. */
export type InputEventType =
  | 'DeviceBound'
  | 'DeviceUnbound'
  | 'DmarFaultLogged'
  | 'Enqcmd'
  | 'FileClosed'
  | 'ProcessCreated'
  | 'ProcessExec'
  | 'TaskExited'
  | 'ThreadCreated';

/** What an API key may do: a reader reads, a writer also records, an admin also manages keys. */
export type KeyRole =
  | 'admin'
  | 'reader'
  | 'writer';

/** Lanes that concern all of these (each absent: any). */
export type LaneFilterInput = {
  code?: HazardCode | null | undefined;
  device?: string | null | undefined;
  fd?: number | null | undefined;
  pasid?: number | null | undefined;
  pid?: number | null | undefined;
  tid?: number | null | undefined;
};

/** One input event: `type` plus the fields of that type (see the README). */
export type LifecycleEventInput = {
  /** When it was observed, RFC 3339 with offset. */
  at?: string | null | undefined;
  /** DeviceBound with fd: close-on-exec (default false). */
  cloexec?: boolean | null | undefined;
  /** DeviceBound, DeviceUnbound, DmarFaultLogged, Enqcmd (optional: without it, only the #GP): PCI address like 0000:6a:01.0. */
  device?: string | null | undefined;
  /** DeviceBound: the fd of the open file that holds the bond. FileClosed: the fd closed. */
  fd?: number | null | undefined;
  /** A UUID for idempotent retries. */
  id?: string | number | null | undefined;
  /** ProcessCreated: the parent process. */
  parent?: number | null | undefined;
  /** DeviceBound: the PASID the kernel was seen to use. DmarFaultLogged: the PASID of the fault. */
  pasid?: number | null | undefined;
  /** ProcessCreated, ThreadCreated, DeviceBound, DeviceUnbound, FileClosed, ProcessExec. */
  pid?: number | null | undefined;
  /** DmarFaultLogged: the fault reason code, e.g. 0x59. */
  reason?: string | null | undefined;
  /** ThreadCreated, Enqcmd, TaskExited. */
  tid?: number | null | undefined;
  type: InputEventType;
};

/** When a PASID is freed: LAZY_REFCOUNT (count drops to 0), MM_EXIT (mm goes away), EAGER_UNBIND (last unbind). */
export type Policy =
  | 'EAGER_UNBIND'
  | 'LAZY_REFCOUNT'
  | 'MM_EXIT';

/** Why the ENQCMD #GP fix-up did not run: the mm has no PASID, or the task was already activated. */
export type SigsegvReason =
  | 'ALREADY_ACTIVATED'
  | 'NO_PASID';

export type SystemSummaryFragment = { name: string, policy: Policy, maxPasid: number, version: number, eventCount: number, livePasids: number, hazardCount: number };

export type StateFieldsFragment = { policy: Policy, events: number, freed: Array<number>, pasids: Array<{ pasid: number, pid: number, refcount: number | null, devices: Array<string>, released: boolean }>, tasks: Array<{ tid: number, pid: number, msr: number | null, activated: boolean, msrStale: boolean }>, processes: Array<{ pid: number, parent: number | null, tasks: Array<number>, pasid: number | null, bonds: Array<{ device: string, count: number }> }>, files: Array<{ pid: number, fd: number, device: string, pasid: number, holder: number, cloexec: boolean }>, hazards: Array<{ code: HazardCode, reason: SigsegvReason | null, event: number, tid: number | null, pid: number | null, device: string | null, pasid: number | null, observed: boolean | null, explained: boolean | null }> };

export type StepStateFieldsFragment = { policy: Policy, events: number, freed: Array<number>, pasids: Array<{ pasid: number, pid: number, refcount: number | null, devices: Array<string>, released: boolean }>, tasks: Array<{ tid: number, pid: number, msr: number | null, activated: boolean, msrStale: boolean }>, processes: Array<{ pid: number, parent: number | null, tasks: Array<number>, pasid: number | null, bonds: Array<{ device: string, count: number }> }>, files: Array<{ pid: number, fd: number, device: string, pasid: number, holder: number, cloexec: boolean }> };

export type PasidsStateFieldsFragment = { events: number, pasids: Array<{ pasid: number, pid: number, refcount: number | null }> };

export type TimelineEventFieldsFragment = { position: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown> };

export type EventFieldsFragment = { id: string, position: string, system: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown>, actor: string, correlationId: string, causationId: string | null, recordedAt: string, observedAt: string | null, hash: string };

export type ImportHistoryMutationVariables = Exact<{
  system: string;
  policy?: Policy | null | undefined;
  history: string;
}>;


export type ImportHistoryMutation = { importHistory: { version: number, lastPosition: string, system: { name: string } } };

export type RecordEventsMutationVariables = Exact<{
  system: string;
  expectedVersion?: number | null | undefined;
  events: Array<LifecycleEventInput> | LifecycleEventInput;
}>;


export type RecordEventsMutation = { recordEvents: { version: number } };

export type CreateSystemMutationVariables = Exact<{
  input: CreateSystemInput;
}>;


export type CreateSystemMutation = { createSystem: { name: string } };

export type SystemsQueryVariables = Exact<{ [key: string]: never; }>;


export type SystemsQuery = { systems: Array<{ name: string, policy: Policy, maxPasid: number, version: number, eventCount: number, livePasids: number, hazardCount: number }> };

export type SystemQueryVariables = Exact<{
  name: string;
}>;


export type SystemQuery = { system: { name: string, policy: Policy, maxPasid: number, version: number, eventCount: number, livePasids: number, hazardCount: number } | null };

export type HazardsQueryVariables = Exact<{
  name: string;
  policy?: Policy | null | undefined;
}>;


export type HazardsQuery = { system: { state: { hazards: Array<{ code: HazardCode, reason: SigsegvReason | null, event: number, tid: number | null, pid: number | null, device: string | null, pasid: number | null, observed: boolean | null, explained: boolean | null }> } } | null };

export type StateQueryVariables = Exact<{
  name: string;
  at?: number | null | undefined;
  policy?: Policy | null | undefined;
}>;


export type StateQuery = { system: { state: { policy: Policy, events: number, freed: Array<number>, pasids: Array<{ pasid: number, pid: number, refcount: number | null, devices: Array<string>, released: boolean }>, tasks: Array<{ tid: number, pid: number, msr: number | null, activated: boolean, msrStale: boolean }>, processes: Array<{ pid: number, parent: number | null, tasks: Array<number>, pasid: number | null, bonds: Array<{ device: string, count: number }> }>, files: Array<{ pid: number, fd: number, device: string, pasid: number, holder: number, cloexec: boolean }>, hazards: Array<{ code: HazardCode, reason: SigsegvReason | null, event: number, tid: number | null, pid: number | null, device: string | null, pasid: number | null, observed: boolean | null, explained: boolean | null }> } } | null };

export type LogQueryVariables = Exact<{
  system?: string | null | undefined;
  filter?: EventFilterInput | null | undefined;
  after?: string | null | undefined;
  first: number;
}>;


export type LogQuery = { log: { nodes: Array<{ id: string, position: string, system: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown>, actor: string, correlationId: string, causationId: string | null, recordedAt: string, observedAt: string | null, hash: string }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type InputsQueryVariables = Exact<{
  name: string;
  from: number;
  to: number;
  after?: string | null | undefined;
  first: number;
}>;


export type InputsQuery = { events: { nodes: Array<{ position: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown>, derived: Array<{ position: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown> }> }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type StepEventsQueryVariables = Exact<{
  name: string;
  version: number;
  after?: string | null | undefined;
  first: number;
}>;


export type StepEventsQuery = { events: { nodes: Array<{ id: string, position: string, system: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown>, actor: string, correlationId: string, causationId: string | null, recordedAt: string, observedAt: string | null, hash: string }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type DivergenceQueryVariables = Exact<{
  name: string;
  policies: Array<Policy> | Policy;
}>;


export type DivergenceQuery = { divergence: { version: number, policies: Array<Policy>, explanation: string, input: { position: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown> }, differences: Array<{ field: string, key: string | null, left: string, right: string, description: string }> } | null };

export type LanesQueryVariables = Exact<{
  name: string;
  policy?: Policy | null | undefined;
  from?: number | null | undefined;
  to?: number | null | undefined;
  resolution?: number | null | undefined;
  filter?: LaneFilterInput | null | undefined;
  offset?: number | null | undefined;
  first?: number | null | undefined;
}>;


export type LanesQuery = { lanes: { version: number, policy: Policy, from: number, to: number, total: number, offset: number, devices: Array<string>, codes: Array<HazardCode>, hasFiles: boolean, rows: Array<{ kind: string, key: string, group: string, label: string, nested: boolean, count: number, bars: Array<{ key: string, from: number, to: number | null, tone: string, label: string, title: string, count: number }>, marks: Array<{ code: HazardCode, version: number, lastVersion: number, count: number, tid: number | null, pid: number | null, device: string | null, pasid: number | null }> }> } };

export type ExportQueryVariables = Exact<{
  name: string;
}>;


export type ExportQuery = { exportHistory: string };

export type VerifyQueryVariables = Exact<{ [key: string]: never; }>;


export type VerifyQuery = { verifyLog: { ok: boolean, eventsChecked: number, systemsChecked: number, breaches: Array<{ system: string, position: string | null, version: number | null, reason: string }> } };

export type FreedQueryVariables = Exact<{
  name: string;
  after?: string | null | undefined;
  first: number;
}>;


export type FreedQuery = { events: { nodes: Array<{ version: number, data: Record<string, unknown> }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { name: string, role: KeyRole } | null };

export type EventAppendedSubscriptionVariables = Exact<{
  system?: string | null | undefined;
  after?: string | null | undefined;
}>;


export type EventAppendedSubscription = { eventAppended: { id: string, position: string, system: string, version: number, index: number, kind: EventKind, type: string, data: Record<string, unknown>, actor: string, correlationId: string, causationId: string | null, recordedAt: string, observedAt: string | null, hash: string } };

export type SystemStateChangedSubscriptionVariables = Exact<{
  system: string;
}>;


export type SystemStateChangedSubscription = { systemStateChanged: { policy: Policy, events: number, freed: Array<number>, pasids: Array<{ pasid: number, pid: number, refcount: number | null, devices: Array<string>, released: boolean }>, tasks: Array<{ tid: number, pid: number, msr: number | null, activated: boolean, msrStale: boolean }>, processes: Array<{ pid: number, parent: number | null, tasks: Array<number>, pasid: number | null, bonds: Array<{ device: string, count: number }> }>, files: Array<{ pid: number, fd: number, device: string, pasid: number, holder: number, cloexec: boolean }>, hazards: Array<{ code: HazardCode, reason: SigsegvReason | null, event: number, tid: number | null, pid: number | null, device: string | null, pasid: number | null, observed: boolean | null, explained: boolean | null }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SystemSummaryFragmentDoc = new TypedDocumentString(`
    fragment SystemSummary on System {
  name
  policy
  maxPasid
  version
  eventCount
  livePasids
  hazardCount
}
    `, {"fragmentName":"SystemSummary"}) as unknown as TypedDocumentString<SystemSummaryFragment, unknown>;
export const StateFieldsFragmentDoc = new TypedDocumentString(`
    fragment StateFields on SystemState {
  policy
  events
  pasids {
    pasid
    pid
    refcount
    devices
    released
  }
  tasks {
    tid
    pid
    msr
    activated
    msrStale
  }
  processes {
    pid
    parent
    tasks
    pasid
    bonds {
      device
      count
    }
  }
  files {
    pid
    fd
    device
    pasid
    holder
    cloexec
  }
  freed
  hazards {
    code
    reason
    event
    tid
    pid
    device
    pasid
    observed
    explained
  }
}
    `, {"fragmentName":"StateFields"}) as unknown as TypedDocumentString<StateFieldsFragment, unknown>;
export const StepStateFieldsFragmentDoc = new TypedDocumentString(`
    fragment StepStateFields on SystemState {
  policy
  events
  pasids {
    pasid
    pid
    refcount
    devices
    released
  }
  tasks {
    tid
    pid
    msr
    activated
    msrStale
  }
  processes {
    pid
    parent
    tasks
    pasid
    bonds {
      device
      count
    }
  }
  files {
    pid
    fd
    device
    pasid
    holder
    cloexec
  }
  freed
}
    `, {"fragmentName":"StepStateFields"}) as unknown as TypedDocumentString<StepStateFieldsFragment, unknown>;
export const PasidsStateFieldsFragmentDoc = new TypedDocumentString(`
    fragment PasidsStateFields on SystemState {
  events
  pasids {
    pasid
    pid
    refcount
  }
}
    `, {"fragmentName":"PasidsStateFields"}) as unknown as TypedDocumentString<PasidsStateFieldsFragment, unknown>;
export const TimelineEventFieldsFragmentDoc = new TypedDocumentString(`
    fragment TimelineEventFields on Event {
  position
  version
  index
  kind
  type
  data
}
    `, {"fragmentName":"TimelineEventFields"}) as unknown as TypedDocumentString<TimelineEventFieldsFragment, unknown>;
export const EventFieldsFragmentDoc = new TypedDocumentString(`
    fragment EventFields on Event {
  id
  position
  system
  version
  index
  kind
  type
  data
  actor
  correlationId
  causationId
  recordedAt
  observedAt
  hash
}
    `, {"fragmentName":"EventFields"}) as unknown as TypedDocumentString<EventFieldsFragment, unknown>;
export const ImportHistoryDocument = new TypedDocumentString(`
    mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {
  importHistory(system: $system, policy: $policy, history: $history) {
    system {
      name
    }
    version
    lastPosition
  }
}
    `) as unknown as TypedDocumentString<ImportHistoryMutation, ImportHistoryMutationVariables>;
export const RecordEventsDocument = new TypedDocumentString(`
    mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {
  recordEvents(
    system: $system
    expectedVersion: $expectedVersion
    events: $events
  ) {
    version
  }
}
    `) as unknown as TypedDocumentString<RecordEventsMutation, RecordEventsMutationVariables>;
export const CreateSystemDocument = new TypedDocumentString(`
    mutation CreateSystem($input: CreateSystemInput!) {
  createSystem(input: $input) {
    name
  }
}
    `) as unknown as TypedDocumentString<CreateSystemMutation, CreateSystemMutationVariables>;
export const SystemsDocument = new TypedDocumentString(`
    query Systems {
  systems {
    ...SystemSummary
  }
}
    fragment SystemSummary on System {
  name
  policy
  maxPasid
  version
  eventCount
  livePasids
  hazardCount
}`) as unknown as TypedDocumentString<SystemsQuery, SystemsQueryVariables>;
export const SystemDocument = new TypedDocumentString(`
    query System($name: String!) {
  system(name: $name) {
    ...SystemSummary
  }
}
    fragment SystemSummary on System {
  name
  policy
  maxPasid
  version
  eventCount
  livePasids
  hazardCount
}`) as unknown as TypedDocumentString<SystemQuery, SystemQueryVariables>;
export const HazardsDocument = new TypedDocumentString(`
    query Hazards($name: String!, $policy: Policy) {
  system(name: $name) {
    state(policy: $policy) {
      hazards {
        code
        reason
        event
        tid
        pid
        device
        pasid
        observed
        explained
      }
    }
  }
}
    `) as unknown as TypedDocumentString<HazardsQuery, HazardsQueryVariables>;
export const StateDocument = new TypedDocumentString(`
    query State($name: String!, $at: Int, $policy: Policy) {
  system(name: $name) {
    state(at: $at, policy: $policy) {
      ...StateFields
    }
  }
}
    fragment StateFields on SystemState {
  policy
  events
  pasids {
    pasid
    pid
    refcount
    devices
    released
  }
  tasks {
    tid
    pid
    msr
    activated
    msrStale
  }
  processes {
    pid
    parent
    tasks
    pasid
    bonds {
      device
      count
    }
  }
  files {
    pid
    fd
    device
    pasid
    holder
    cloexec
  }
  freed
  hazards {
    code
    reason
    event
    tid
    pid
    device
    pasid
    observed
    explained
  }
}`) as unknown as TypedDocumentString<StateQuery, StateQueryVariables>;
export const LogDocument = new TypedDocumentString(`
    query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {
  log(system: $system, filter: $filter, after: $after, first: $first) {
    nodes {
      ...EventFields
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
    fragment EventFields on Event {
  id
  position
  system
  version
  index
  kind
  type
  data
  actor
  correlationId
  causationId
  recordedAt
  observedAt
  hash
}`) as unknown as TypedDocumentString<LogQuery, LogQueryVariables>;
export const InputsDocument = new TypedDocumentString(`
    query Inputs($name: String!, $from: Int!, $to: Int!, $after: String, $first: Int!) {
  events(
    system: $name
    fromVersion: $from
    toVersion: $to
    after: $after
    first: $first
    filter: {kind: INPUT}
  ) {
    nodes {
      ...TimelineEventFields
      derived {
        ...TimelineEventFields
      }
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
    fragment TimelineEventFields on Event {
  position
  version
  index
  kind
  type
  data
}`) as unknown as TypedDocumentString<InputsQuery, InputsQueryVariables>;
export const StepEventsDocument = new TypedDocumentString(`
    query StepEvents($name: String!, $version: Int!, $after: String, $first: Int!) {
  events(
    system: $name
    fromVersion: $version
    toVersion: $version
    after: $after
    first: $first
  ) {
    nodes {
      ...EventFields
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
    fragment EventFields on Event {
  id
  position
  system
  version
  index
  kind
  type
  data
  actor
  correlationId
  causationId
  recordedAt
  observedAt
  hash
}`) as unknown as TypedDocumentString<StepEventsQuery, StepEventsQueryVariables>;
export const DivergenceDocument = new TypedDocumentString(`
    query Divergence($name: String!, $policies: [Policy!]!) {
  divergence(system: $name, policies: $policies) {
    version
    input {
      ...TimelineEventFields
    }
    policies
    differences {
      field
      key
      left
      right
      description
    }
    explanation
  }
}
    fragment TimelineEventFields on Event {
  position
  version
  index
  kind
  type
  data
}`) as unknown as TypedDocumentString<DivergenceQuery, DivergenceQueryVariables>;
export const LanesDocument = new TypedDocumentString(`
    query Lanes($name: String!, $policy: Policy, $from: Int, $to: Int, $resolution: Int, $filter: LaneFilterInput, $offset: Int, $first: Int) {
  lanes(
    system: $name
    policy: $policy
    from: $from
    to: $to
    resolution: $resolution
    filter: $filter
    offset: $offset
    first: $first
  ) {
    version
    policy
    from
    to
    total
    offset
    devices
    codes
    hasFiles
    rows {
      kind
      key
      group
      label
      nested
      count
      bars {
        key
        from
        to
        tone
        label
        title
        count
      }
      marks {
        code
        version
        lastVersion
        count
        tid
        pid
        device
        pasid
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LanesQuery, LanesQueryVariables>;
export const ExportDocument = new TypedDocumentString(`
    query Export($name: String!) {
  exportHistory(system: $name)
}
    `) as unknown as TypedDocumentString<ExportQuery, ExportQueryVariables>;
export const VerifyDocument = new TypedDocumentString(`
    query Verify {
  verifyLog {
    ok
    eventsChecked
    systemsChecked
    breaches {
      system
      position
      version
      reason
    }
  }
}
    `) as unknown as TypedDocumentString<VerifyQuery, VerifyQueryVariables>;
export const FreedDocument = new TypedDocumentString(`
    query Freed($name: String!, $after: String, $first: Int!) {
  events(
    system: $name
    after: $after
    first: $first
    filter: {types: ["PasidFreed"]}
  ) {
    nodes {
      version
      data
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
    `) as unknown as TypedDocumentString<FreedQuery, FreedQueryVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    name
    role
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const EventAppendedDocument = new TypedDocumentString(`
    subscription EventAppended($system: String, $after: Position) {
  eventAppended(system: $system, after: $after) {
    ...EventFields
  }
}
    fragment EventFields on Event {
  id
  position
  system
  version
  index
  kind
  type
  data
  actor
  correlationId
  causationId
  recordedAt
  observedAt
  hash
}`) as unknown as TypedDocumentString<EventAppendedSubscription, EventAppendedSubscriptionVariables>;
export const SystemStateChangedDocument = new TypedDocumentString(`
    subscription SystemStateChanged($system: String!) {
  systemStateChanged(system: $system) {
    ...StateFields
  }
}
    fragment StateFields on SystemState {
  policy
  events
  pasids {
    pasid
    pid
    refcount
    devices
    released
  }
  tasks {
    tid
    pid
    msr
    activated
    msrStale
  }
  processes {
    pid
    parent
    tasks
    pasid
    bonds {
      device
      count
    }
  }
  files {
    pid
    fd
    device
    pasid
    holder
    cloexec
  }
  freed
  hazards {
    code
    reason
    event
    tid
    pid
    device
    pasid
    observed
    explained
  }
}`) as unknown as TypedDocumentString<SystemStateChangedSubscription, SystemStateChangedSubscriptionVariables>;