import { eventFragment } from './fragments';

export const eventAppendedSubscription = /* GraphQL */ `
  subscription EventAppended($system: String, $after: Int) {
    eventAppended(system: $system, after: $after) { ...EventFields }
  }
  ${eventFragment}
`;
