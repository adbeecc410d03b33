import { graphql } from './generated';

export const importHistoryMutation = graphql(`
  mutation ImportHistory($system: String!, $policy: Policy, $history: String!) {
    importHistory(system: $system, policy: $policy, history: $history) { system { name } version lastPosition }
  }
`);

export const recordEventsMutation = graphql(`
  mutation RecordEvents($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {
    recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version }
  }
`);

export const createSystemMutation = graphql(`
  mutation CreateSystem($input: CreateSystemInput!) {
    createSystem(input: $input) { name }
  }
`);
