/** GraphQL fragments shared by the queries (the selections the UI types are mapped from). */

export const systemSummaryFragment = /* GraphQL */ `
  fragment SystemSummary on System {
    name
    policy
    maxPasid
    version
    eventCount
    livePasids
    hazardCount
  }
`;

export const stateFragment = /* GraphQL */ `
  fragment StateFields on SystemState {
    policy
    events
    pasids { pasid pid refcount devices }
    tasks { tid pid msr }
    processes { pid parent tasks pasid bonds { device count } }
    freed
    hazards { code event tid pid device pasid }
  }
`;

export const eventFragment = /* GraphQL */ `
  fragment EventFields on Event {
    id
    position
    system
    version
    index
    kind
    type
    data
    actor
    correlationId
    causationId
    recordedAt
    observedAt
    hash
  }
`;
