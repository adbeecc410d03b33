import { eventFragment, stateFragment } from './fragments';

export const eventAppendedSubscription = /* GraphQL */ `
  subscription EventAppended($system: String, $after: Int) {
    eventAppended(system: $system, after: $after) { ...EventFields }
  }
  ${eventFragment}
`;

export const systemStateChangedSubscription = /* GraphQL */ `
  subscription SystemStateChanged($system: String!) {
    systemStateChanged(system: $system) { ...StateFields }
  }
  ${stateFragment}
`;
