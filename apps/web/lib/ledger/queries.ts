import {
  eventFragment,
  stateFragment,
  stepStateFragment,
  systemSummaryFragment,
  timelineEventFragment,
} from './fragments';

export const systemsQuery = /* GraphQL */ `
  query Systems {
    systems { ...SystemSummary }
  }
  ${systemSummaryFragment}
`;

export const systemQuery = /* GraphQL */ `
  query System($name: String!) {
    system(name: $name) { ...SystemSummary }
  }
  ${systemSummaryFragment}
`;

export const hazardsQuery = /* GraphQL */ `
  query Hazards($name: String!) {
    system(name: $name) {
      state { hazards { code event tid pid device pasid } }
    }
  }
`;

export const stateQuery = /* GraphQL */ `
  query State($name: String!, $at: Int, $policy: Policy) {
    system(name: $name) {
      state(at: $at, policy: $policy) { ...StateFields }
    }
  }
  ${stateFragment}
`;

/** The states at several versions in one request, one alias each (`s0`, `s1`, ...). */
export function statesQuery(count: number, fields: 'full' | 'step' | 'pasids'): string {
  const selection =
    fields === 'full'
      ? '{ ...StateFields }'
      : fields === 'step'
        ? '{ ...StepStateFields }'
        : '{ events pasids { pasid pid refcount } }';
  const aliases = Array.from(
    { length: count },
    (_, i) => `s${i}: state(at: $at${i}, policy: $policy) ${selection}`,
  );
  const params = Array.from({ length: count }, (_, i) => `$at${i}: Int!`).join(', ');
  return `
    query States($name: String!, $policy: Policy, ${params}) {
      system(name: $name) { ${aliases.join('\n')} }
    }
    ${fields === 'full' ? stateFragment : fields === 'step' ? stepStateFragment : ''}
  `;
}

/** The audit view: the whole log or one system's, filtered, a page at a time. */
export const logQuery = /* GraphQL */ `
  query Log($system: String, $filter: EventFilterInput, $after: String, $first: Int!) {
    log(system: $system, filter: $filter, after: $after, first: $first) {
      nodes { ...EventFields }
      pageInfo { endCursor hasNextPage }
    }
  }
  ${eventFragment}
`;

/** Input events of one system after a position, each with the events derived from it. */
export const inputsQuery = /* GraphQL */ `
  query Inputs($name: String!, $after: String, $first: Int!) {
    events(system: $name, after: $after, first: $first, filter: { kind: INPUT }) {
      nodes { ...TimelineEventFields derived { ...TimelineEventFields } }
    }
  }
  ${timelineEventFragment}
`;

/** The version and position of the first input event after a position (to find a version's place). */
export const inputAfterQuery = /* GraphQL */ `
  query InputAfter($name: String!, $after: String) {
    events(system: $name, after: $after, first: 1, filter: { kind: INPUT }) {
      nodes { version position }
    }
  }
`;

export const exportQuery = /* GraphQL */ `
  query Export($name: String!) {
    exportHistory(system: $name)
  }
`;

export const verifyQuery = /* GraphQL */ `
  query Verify {
    verifyLog { ok eventsChecked systemsChecked breaches { system position version reason } }
  }
`;
