import { graphql } from './generated';
import {
  PasidsStateFieldsFragmentDoc,
  StateFieldsFragmentDoc,
  StepStateFieldsFragmentDoc,
} from './generated/graphql';

export const systemsQuery = graphql(`
  query Systems {
    systems { ...SystemSummary }
  }
`);

export const systemQuery = graphql(`
  query System($name: String!) {
    system(name: $name) { ...SystemSummary }
  }
`);

export const hazardsQuery = graphql(`
  query Hazards($name: String!, $policy: Policy) {
    system(name: $name) {
      state(policy: $policy) { hazards { code reason event tid pid device pasid observed explained } }
    }
  }
`);

export const stateQuery = graphql(`
  query State($name: String!, $at: Int, $policy: Policy) {
    system(name: $name) {
      state(at: $at, policy: $policy) { ...StateFields }
    }
  }
`);

/**
 * The states at several versions in one request, one alias each (`s0`, `s1`, ...). Built at run
 * time (the number of aliases varies), so it is not a generated document; each alias selects a
 * generated fragment, which types its result.
 */
export function statesQuery(count: number, fields: 'full' | 'step' | 'pasids'): string {
  const fragment =
    fields === 'full'
      ? StateFieldsFragmentDoc
      : fields === 'step'
        ? StepStateFieldsFragmentDoc
        : PasidsStateFieldsFragmentDoc;
  const name =
    fields === 'full' ? 'StateFields' : fields === 'step' ? 'StepStateFields' : 'PasidsStateFields';
  const aliases = Array.from(
    { length: count },
    (_, i) => `s${i}: state(at: $at${i}, policy: $policy) { ...${name} }`,
  );
  const params = Array.from({ length: count }, (_, i) => `$at${i}: Int!`).join(', ');
  return `
    query States($name: String!, $policy: Policy, ${params}) {
      system(name: $name) { ${aliases.join('\n')} }
    }
    ${fragment.toString()}
  `;
}

/** The audit view: the whole log or one system's, filtered, a page at a time. */
export const logQuery = graphql(`
  query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {
    log(system: $system, filter: $filter, after: $after, first: $first) {
      nodes { ...EventFields }
      pageInfo { endCursor hasNextPage }
    }
  }
`);

/** The input events of one system's versions `from..to`, each with the events derived from it. */
export const inputsQuery = graphql(`
  query Inputs($name: String!, $from: Int!, $to: Int!, $after: String, $first: Int!) {
    events(system: $name, fromVersion: $from, toVersion: $to, after: $after, first: $first, filter: { kind: INPUT }) {
      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }
      pageInfo { endCursor hasNextPage }
    }
  }
`);

/** Every stored event of one version (its input, then what was derived from it), with all metadata. */
export const stepEventsQuery = graphql(`
  query StepEvents($name: String!, $version: Int!, $after: String, $first: Int!) {
    events(system: $name, fromVersion: $version, toVersion: $version, after: $after, first: $first) {
      nodes { ...EventFields }
      pageInfo { endCursor hasNextPage }
    }
  }
`);

/** Where two policies' states first differ over the whole history (the API's domain pass, no cap). */
export const divergenceQuery = graphql(`
  query Divergence($name: String!, $policies: [Policy!]!) {
    divergence(system: $name, policies: $policies) {
      version
      input { ...TimelineEventFields }
      policies
      differences { field key left right description }
      explanation
    }
  }
`);

/** A page of the lifetime lanes with something in [from, to), filtered, merged to `resolution` steps. */
export const lanesQuery = graphql(`
  query Lanes(
    $name: String!
    $policy: Policy
    $from: Int
    $to: Int
    $resolution: Int
    $filter: LaneFilterInput
    $offset: Int
    $first: Int
  ) {
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
      version policy from to total offset devices codes hasFiles
      rows {
        kind key group label nested count
        bars { key from to tone label title count }
        marks { code version lastVersion count tid pid device pasid }
      }
    }
  }
`);

export const exportQuery = graphql(`
  query Export($name: String!) {
    exportHistory(system: $name)
  }
`);

export const verifyQuery = graphql(`
  query Verify {
    verifyLog { ok eventsChecked systemsChecked breaches { system position version reason } }
  }
`);

/** The PasidFreed events of one system after a position: which value, which pid, at which step. */
export const freedQuery = graphql(`
  query Freed($name: String!, $after: String, $first: Int!) {
    events(system: $name, after: $after, first: $first, filter: { types: ["PasidFreed"] }) {
      nodes { version data }
      pageInfo { endCursor hasNextPage }
    }
  }
`);

/** Who a key is: sign-in checks a key with it, the header shows who is signed in. */
export const viewerQuery = graphql(`
  query Viewer {
    viewer { name role }
  }
`);
