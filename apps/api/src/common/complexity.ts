import type { ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Costs for graphql-query-complexity (each field costs 1 unless said here). A list costs its
 * expected length times what is asked of each item. Long work costs what it will do, as the store
 * tells before doing it (server/work-cost.ts): `verifyLog` the events of the log, a `state` the
 * versions it replays from the nearest snapshot.
 */

/** A state read's own cost before any replay (mapping the domain state to its GraphQL shape). */
export const STATE_BASE_COST = 10;
/**
 * Versions replayed per unit of cost. Replaying a version (decide and evolve one input) takes a
 * few microseconds, about what a unit of a page costs, so the default limit (20,000) lets one
 * request replay about 100,000 versions: well under a second, not the minutes 390 aliased
 * what-ifs once took.
 */
export const VERSIONS_PER_COST = 5;
/** `verifyLog`'s own cost before any event. */
export const VERIFY_BASE_COST = 10;
/**
 * Events verified per unit of cost: each is hashed and its stream's snapshots replayed, so about
 * a replayed version's work. At the default limit one request verifies a log of about 100,000
 * events; a larger log is `pasid verify`'s (or a higher API_MAX_COMPLEXITY).
 */
export const EVENTS_PER_COST = 5;
/** A divergence search's own cost before any input (it then decides each input under two policies). */
export const DIVERGENCE_BASE_COST = 10;
/** Systems on one server are few; the list is priced as if it held this many. */
export const SYSTEMS_LIST_SIZE = 20;

export const stateCost = (versionsToReplay: number): number =>
  STATE_BASE_COST + Math.ceil(versionsToReplay / VERSIONS_PER_COST);

/** Two replays of the whole history, at most (the search stops at the first difference). */
export const divergenceCost = (versions: number): number =>
  DIVERGENCE_BASE_COST + 2 * Math.ceil(versions / VERSIONS_PER_COST);

export const verifyCost = (events: number): number => VERIFY_BASE_COST + Math.ceil(events / EVENTS_PER_COST);

export const pageCost: ComplexityEstimator = ({ args, childComplexity }) =>
  1 + (typeof args.first === 'number' ? args.first : 50) * Math.max(childComplexity, 1);

export const listCost =
  (size: number): ComplexityEstimator =>
  ({ childComplexity }) =>
    1 + size * Math.max(childComplexity, 1);

export const fixedCost =
  (cost: number): ComplexityEstimator =>
  ({ childComplexity }) =>
    cost + childComplexity;
