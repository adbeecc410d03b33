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
  query Hazards($name: String!) {
    system(name: $name) {
      state { hazards { code reason event tid pid device pasid observed explained } }
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

/** Input events of one system after a position, each with the events derived from it. */
export const inputsQuery = graphql(`
  query Inputs($name: String!, $after: String, $first: Int!) {
    events(system: $name, after: $after, first: $first, filter: { kind: INPUT }) {
      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }
    }
  }
`);

/** The version and position of the first input event after a position (to find a version's place). */
export const inputAfterQuery = graphql(`
  query InputAfter($name: String!, $after: String) {
    events(system: $name, after: $after, first: 1, filter: { kind: INPUT }) {
      nodes { version position }
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

/** The events derived from one input event, with all their metadata. */
export const derivedQuery = graphql(`
  query Derived($inputId: ID!) {
    derivedEvents(inputId: $inputId) { ...EventFields }
  }
`);

/** Who a key is: sign-in checks a key with it, the header shows who is signed in. */
export const viewerQuery = graphql(`
  query Viewer {
    viewer { name role }
  }
`);
