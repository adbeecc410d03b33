import type { ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Costs for graphql-query-complexity (each field costs 1 unless said here). A list costs its
 * expected length times what is asked of each item; a state costs a replay.
 */
export const STATE_COST = 50;
/** Systems on one server are few; the list is priced as if it held this many. */
export const SYSTEMS_LIST_SIZE = 20;

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
