export const importHistoryMutation = /* GraphQL */ `
  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {
    importHistory(system: $system, policy: $policy, history: $history) { system version }
  }
`;

export const recordEventsMutation = /* GraphQL */ `
  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {
    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }
  }
`;

export const createSystemMutation = /* GraphQL */ `
  mutation CreateSystem($name: String!, $policy: Policy!, $maxPasid: Int) {
    createSystem(name: $name, policy: $policy, maxPasid: $maxPasid) { name }
  }
`;
