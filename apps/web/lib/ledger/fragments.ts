/** GraphQL fragments shared by the queries (the selections the UI types are mapped from). */
import { graphql } from './generated';

export const systemSummaryFragment = graphql(`
  fragment SystemSummary on System {
    name
    policy
    maxPasid
    version
    eventCount
    livePasids
    hazardCount
  }
`);

export const stateFragment = graphql(`
  fragment StateFields on SystemState {
    policy
    events
    pasids { pasid pid refcount devices released }
    tasks { tid pid msr activated msrStale }
    processes { pid parent tasks pasid bonds { device count } }
    files { pid fd device pasid holder cloexec }
    freed
    hazards { code reason event tid pid device pasid observed explained }
  }
`);

/** A state without its hazards: what the replay fetches at each step (hazards come once, with the page). */
export const stepStateFragment = graphql(`
  fragment StepStateFields on SystemState {
    policy
    events
    pasids { pasid pid refcount devices released }
    tasks { tid pid msr activated msrStale }
    processes { pid parent tasks pasid bonds { device count } }
    files { pid fd device pasid holder cloexec }
    freed
  }
`);

/** The charts' light state: PASIDs only. */
export const pasidsStateFragment = graphql(`
  fragment PasidsStateFields on SystemState {
    events
    pasids { pasid pid refcount }
  }
`);

/** What the timeline shows of an event (the audit view takes the full EventFields). */
export const timelineEventFragment = graphql(`
  fragment TimelineEventFields on Event {
    position
    version
    index
    kind
    type
    data
  }
`);

export const eventFragment = graphql(`
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
`);
