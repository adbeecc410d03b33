import { eventFragment, stateFragment, systemSummaryFragment } from './fragments';

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

export const stateQuery = /* GraphQL */ `
  query State($name: String!, $at: Int, $policy: Policy) {
    system(name: $name) {
      state(at: $at, policy: $policy) { ...StateFields }
    }
  }
  ${stateFragment}
`;

/** The states at several versions in one request, one alias each (`s0`, `s1`, ...). */
export function statesQuery(count: number, fields: 'full' | 'pasids'): string {
  const selection = fields === 'full' ? '{ ...StateFields }' : '{ events pasids { pasid pid refcount } }';
  const aliases = Array.from(
    { length: count },
    (_, i) => `s${i}: state(at: $at${i}, policy: $policy) ${selection}`,
  );
  const params = Array.from({ length: count }, (_, i) => `$at${i}: Int!`).join(', ');
  return `
    query States($name: String!, $policy: Policy, ${params}) {
      system(name: $name) { ${aliases.join('\n')} }
    }
    ${fields === 'full' ? stateFragment : ''}
  `;
}

export const eventsQuery = /* GraphQL */ `
  query Events($filter: EventFilter, $after: Int, $first: Int) {
    events(filter: $filter, after: $after, first: $first) {
      nodes { ...EventFields }
      pageInfo { endCursor hasNextPage }
    }
  }
  ${eventFragment}
`;

export const streamQuery = /* GraphQL */ `
  query Stream($name: String!, $fromVersion: Int, $toVersion: Int) {
    system(name: $name) {
      events(fromVersion: $fromVersion, toVersion: $toVersion) { ...EventFields }
    }
  }
  ${eventFragment}
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
