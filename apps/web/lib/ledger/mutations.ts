export const importHistoryMutation = /* GraphQL */ `
  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {
    importHistory(system: $system, policy: $policy, history: $history) { system { name } version lastPosition }
  }
`;

export const recordEventsMutation = /* GraphQL */ `
  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {
    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }
  }
`;

export const createSystemMutation = /* GraphQL */ `
  mutation CreateSystem($input: CreateSystemInput!) {
    createSystem(input: $input) { name }
  }
`;
