/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SystemSummary on System {\n    name\n    policy\n    maxPasid\n    version\n    eventCount\n    livePasids\n    hazardCount\n  }\n": typeof types.SystemSummaryFragmentDoc,
    "\n  fragment StateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n    hazards { code reason event tid pid device pasid observed explained }\n  }\n": typeof types.StateFieldsFragmentDoc,
    "\n  fragment StepStateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n  }\n": typeof types.StepStateFieldsFragmentDoc,
    "\n  fragment PasidsStateFields on SystemState {\n    events\n    pasids { pasid pid refcount }\n  }\n": typeof types.PasidsStateFieldsFragmentDoc,
    "\n  fragment TimelineEventFields on Event {\n    position\n    version\n    index\n    kind\n    type\n    data\n  }\n": typeof types.TimelineEventFieldsFragmentDoc,
    "\n  fragment EventFields on Event {\n    id\n    position\n    system\n    version\n    index\n    kind\n    type\n    data\n    actor\n    correlationId\n    causationId\n    recordedAt\n    observedAt\n    hash\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {\n    importHistory(system: $system, policy: $policy, history: $history) { system { name } version lastPosition }\n  }\n": typeof types.ImportHistoryDocument,
    "\n  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {\n    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }\n  }\n": typeof types.RecordEventsDocument,
    "\n  mutation CreateSystem($input: CreateSystemInput!) {\n    createSystem(input: $input) { name }\n  }\n": typeof types.CreateSystemDocument,
    "\n  query Systems {\n    systems { ...SystemSummary }\n  }\n": typeof types.SystemsDocument,
    "\n  query System($name: String!) {\n    system(name: $name) { ...SystemSummary }\n  }\n": typeof types.SystemDocument,
    "\n  query Hazards($name: String!, $policy: Policy) {\n    system(name: $name) {\n      state(policy: $policy) { hazards { code reason event tid pid device pasid observed explained } }\n    }\n  }\n": typeof types.HazardsDocument,
    "\n  query State($name: String!, $at: Int, $policy: Policy) {\n    system(name: $name) {\n      state(at: $at, policy: $policy) { ...StateFields }\n    }\n  }\n": typeof types.StateDocument,
    "\n  query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {\n    log(system: $system, filter: $filter, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": typeof types.LogDocument,
    "\n  query Inputs($name: String!, $from: Int!, $to: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $from, toVersion: $to, after: $after, first: $first, filter: { kind: INPUT }) {\n      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": typeof types.InputsDocument,
    "\n  query StepEvents($name: String!, $version: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $version, toVersion: $version, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": typeof types.StepEventsDocument,
    "\n  query Divergence($name: String!, $policies: [Policy!]!) {\n    divergence(system: $name, policies: $policies) {\n      version\n      input { ...TimelineEventFields }\n      policies\n      differences { field key left right description }\n      explanation\n    }\n  }\n": typeof types.DivergenceDocument,
    "\n  query Lanes(\n    $name: String!\n    $policy: Policy\n    $from: Int\n    $to: Int\n    $resolution: Int\n    $filter: LaneFilterInput\n    $offset: Int\n    $first: Int\n  ) {\n    lanes(\n      system: $name\n      policy: $policy\n      from: $from\n      to: $to\n      resolution: $resolution\n      filter: $filter\n      offset: $offset\n      first: $first\n    ) {\n      version policy from to total offset devices codes hasFiles\n      rows {\n        kind key group label nested count\n        bars { key from to tone label title count }\n        marks { code version lastVersion count tid pid device pasid }\n      }\n    }\n  }\n": typeof types.LanesDocument,
    "\n  query Export($name: String!) {\n    exportHistory(system: $name)\n  }\n": typeof types.ExportDocument,
    "\n  query Verify {\n    verifyLog { ok eventsChecked systemsChecked breaches { system position version reason } }\n  }\n": typeof types.VerifyDocument,
    "\n  query Freed($name: String!, $after: String, $first: Int!) {\n    events(system: $name, after: $after, first: $first, filter: { types: [\"PasidFreed\"] }) {\n      nodes { version data }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": typeof types.FreedDocument,
    "\n  query Viewer {\n    viewer { name role }\n  }\n": typeof types.ViewerDocument,
    "\n  subscription EventAppended($system: String, $after: Position) {\n    eventAppended(system: $system, after: $after) { ...EventFields }\n  }\n": typeof types.EventAppendedDocument,
    "\n  subscription SystemStateChanged($system: String!) {\n    systemStateChanged(system: $system) { ...StateFields }\n  }\n": typeof types.SystemStateChangedDocument,
};
const documents: Documents = {
    "\n  fragment SystemSummary on System {\n    name\n    policy\n    maxPasid\n    version\n    eventCount\n    livePasids\n    hazardCount\n  }\n": types.SystemSummaryFragmentDoc,
    "\n  fragment StateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n    hazards { code reason event tid pid device pasid observed explained }\n  }\n": types.StateFieldsFragmentDoc,
    "\n  fragment StepStateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n  }\n": types.StepStateFieldsFragmentDoc,
    "\n  fragment PasidsStateFields on SystemState {\n    events\n    pasids { pasid pid refcount }\n  }\n": types.PasidsStateFieldsFragmentDoc,
    "\n  fragment TimelineEventFields on Event {\n    position\n    version\n    index\n    kind\n    type\n    data\n  }\n": types.TimelineEventFieldsFragmentDoc,
    "\n  fragment EventFields on Event {\n    id\n    position\n    system\n    version\n    index\n    kind\n    type\n    data\n    actor\n    correlationId\n    causationId\n    recordedAt\n    observedAt\n    hash\n  }\n": types.EventFieldsFragmentDoc,
    "\n  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {\n    importHistory(system: $system, policy: $policy, history: $history) { system { name } version lastPosition }\n  }\n": types.ImportHistoryDocument,
    "\n  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {\n    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }\n  }\n": types.RecordEventsDocument,
    "\n  mutation CreateSystem($input: CreateSystemInput!) {\n    createSystem(input: $input) { name }\n  }\n": types.CreateSystemDocument,
    "\n  query Systems {\n    systems { ...SystemSummary }\n  }\n": types.SystemsDocument,
    "\n  query System($name: String!) {\n    system(name: $name) { ...SystemSummary }\n  }\n": types.SystemDocument,
    "\n  query Hazards($name: String!, $policy: Policy) {\n    system(name: $name) {\n      state(policy: $policy) { hazards { code reason event tid pid device pasid observed explained } }\n    }\n  }\n": types.HazardsDocument,
    "\n  query State($name: String!, $at: Int, $policy: Policy) {\n    system(name: $name) {\n      state(at: $at, policy: $policy) { ...StateFields }\n    }\n  }\n": types.StateDocument,
    "\n  query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {\n    log(system: $system, filter: $filter, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": types.LogDocument,
    "\n  query Inputs($name: String!, $from: Int!, $to: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $from, toVersion: $to, after: $after, first: $first, filter: { kind: INPUT }) {\n      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": types.InputsDocument,
    "\n  query StepEvents($name: String!, $version: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $version, toVersion: $version, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": types.StepEventsDocument,
    "\n  query Divergence($name: String!, $policies: [Policy!]!) {\n    divergence(system: $name, policies: $policies) {\n      version\n      input { ...TimelineEventFields }\n      policies\n      differences { field key left right description }\n      explanation\n    }\n  }\n": types.DivergenceDocument,
    "\n  query Lanes(\n    $name: String!\n    $policy: Policy\n    $from: Int\n    $to: Int\n    $resolution: Int\n    $filter: LaneFilterInput\n    $offset: Int\n    $first: Int\n  ) {\n    lanes(\n      system: $name\n      policy: $policy\n      from: $from\n      to: $to\n      resolution: $resolution\n      filter: $filter\n      offset: $offset\n      first: $first\n    ) {\n      version policy from to total offset devices codes hasFiles\n      rows {\n        kind key group label nested count\n        bars { key from to tone label title count }\n        marks { code version lastVersion count tid pid device pasid }\n      }\n    }\n  }\n": types.LanesDocument,
    "\n  query Export($name: String!) {\n    exportHistory(system: $name)\n  }\n": types.ExportDocument,
    "\n  query Verify {\n    verifyLog { ok eventsChecked systemsChecked breaches { system position version reason } }\n  }\n": types.VerifyDocument,
    "\n  query Freed($name: String!, $after: String, $first: Int!) {\n    events(system: $name, after: $after, first: $first, filter: { types: [\"PasidFreed\"] }) {\n      nodes { version data }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n": types.FreedDocument,
    "\n  query Viewer {\n    viewer { name role }\n  }\n": types.ViewerDocument,
    "\n  subscription EventAppended($system: String, $after: Position) {\n    eventAppended(system: $system, after: $after) { ...EventFields }\n  }\n": types.EventAppendedDocument,
    "\n  subscription SystemStateChanged($system: String!) {\n    systemStateChanged(system: $system) { ...StateFields }\n  }\n": types.SystemStateChangedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SystemSummary on System {\n    name\n    policy\n    maxPasid\n    version\n    eventCount\n    livePasids\n    hazardCount\n  }\n"): typeof import('./graphql').SystemSummaryFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n    hazards { code reason event tid pid device pasid observed explained }\n  }\n"): typeof import('./graphql').StateFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StepStateFields on SystemState {\n    policy\n    events\n    pasids { pasid pid refcount devices released }\n    tasks { tid pid msr activated msrStale }\n    processes { pid parent tasks pasid bonds { device count } }\n    files { pid fd device pasid holder cloexec }\n    freed\n  }\n"): typeof import('./graphql').StepStateFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PasidsStateFields on SystemState {\n    events\n    pasids { pasid pid refcount }\n  }\n"): typeof import('./graphql').PasidsStateFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TimelineEventFields on Event {\n    position\n    version\n    index\n    kind\n    type\n    data\n  }\n"): typeof import('./graphql').TimelineEventFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EventFields on Event {\n    id\n    position\n    system\n    version\n    index\n    kind\n    type\n    data\n    actor\n    correlationId\n    causationId\n    recordedAt\n    observedAt\n    hash\n  }\n"): typeof import('./graphql').EventFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {\n    importHistory(system: $system, policy: $policy, history: $history) { system { name } version lastPosition }\n  }\n"): typeof import('./graphql').ImportHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {\n    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }\n  }\n"): typeof import('./graphql').RecordEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSystem($input: CreateSystemInput!) {\n    createSystem(input: $input) { name }\n  }\n"): typeof import('./graphql').CreateSystemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Systems {\n    systems { ...SystemSummary }\n  }\n"): typeof import('./graphql').SystemsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query System($name: String!) {\n    system(name: $name) { ...SystemSummary }\n  }\n"): typeof import('./graphql').SystemDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Hazards($name: String!, $policy: Policy) {\n    system(name: $name) {\n      state(policy: $policy) { hazards { code reason event tid pid device pasid observed explained } }\n    }\n  }\n"): typeof import('./graphql').HazardsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query State($name: String!, $at: Int, $policy: Policy) {\n    system(name: $name) {\n      state(at: $at, policy: $policy) { ...StateFields }\n    }\n  }\n"): typeof import('./graphql').StateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {\n    log(system: $system, filter: $filter, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n"): typeof import('./graphql').LogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inputs($name: String!, $from: Int!, $to: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $from, toVersion: $to, after: $after, first: $first, filter: { kind: INPUT }) {\n      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n"): typeof import('./graphql').InputsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StepEvents($name: String!, $version: Int!, $after: String, $first: Int!) {\n    events(system: $name, fromVersion: $version, toVersion: $version, after: $after, first: $first) {\n      nodes { ...EventFields }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n"): typeof import('./graphql').StepEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Divergence($name: String!, $policies: [Policy!]!) {\n    divergence(system: $name, policies: $policies) {\n      version\n      input { ...TimelineEventFields }\n      policies\n      differences { field key left right description }\n      explanation\n    }\n  }\n"): typeof import('./graphql').DivergenceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Lanes(\n    $name: String!\n    $policy: Policy\n    $from: Int\n    $to: Int\n    $resolution: Int\n    $filter: LaneFilterInput\n    $offset: Int\n    $first: Int\n  ) {\n    lanes(\n      system: $name\n      policy: $policy\n      from: $from\n      to: $to\n      resolution: $resolution\n      filter: $filter\n      offset: $offset\n      first: $first\n    ) {\n      version policy from to total offset devices codes hasFiles\n      rows {\n        kind key group label nested count\n        bars { key from to tone label title count }\n        marks { code version lastVersion count tid pid device pasid }\n      }\n    }\n  }\n"): typeof import('./graphql').LanesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Export($name: String!) {\n    exportHistory(system: $name)\n  }\n"): typeof import('./graphql').ExportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Verify {\n    verifyLog { ok eventsChecked systemsChecked breaches { system position version reason } }\n  }\n"): typeof import('./graphql').VerifyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Freed($name: String!, $after: String, $first: Int!) {\n    events(system: $name, after: $after, first: $first, filter: { types: [\"PasidFreed\"] }) {\n      nodes { version data }\n      pageInfo { endCursor hasNextPage }\n    }\n  }\n"): typeof import('./graphql').FreedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { name role }\n  }\n"): typeof import('./graphql').ViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription EventAppended($system: String, $after: Position) {\n    eventAppended(system: $system, after: $after) { ...EventFields }\n  }\n"): typeof import('./graphql').EventAppendedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SystemStateChanged($system: String!) {\n    systemStateChanged(system: $system) { ...StateFields }\n  }\n"): typeof import('./graphql').SystemStateChangedDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
