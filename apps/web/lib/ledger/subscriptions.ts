import { graphql } from './generated';

export const eventAppendedSubscription = graphql(`
  subscription EventAppended($system: String, $after: Position) {
    eventAppended(system: $system, after: $after) { ...EventFields }
  }
`);

export const systemStateChangedSubscription = graphql(`
  subscription SystemStateChanged($system: String!) {
    systemStateChanged(system: $system) { ...StateFields }
  }
`);
