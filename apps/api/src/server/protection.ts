import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { EventStore } from '@pasid/store';
import { type DocumentNode, GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import { EVENTS_PER_COST, VERSIONS_PER_COST } from '../common/complexity.js';
import { apiError, mapped } from '../errors.js';
import { priceWork, type WorkPrices, workEstimator } from './work-cost.js';

// The ESM build of graphql-query-complexity imports `graphql/index.mjs`, a second copy of graphql
// beside the CommonJS one every other package loads ("another module or realm"): load its
// CommonJS build, which shares ours.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof import('graphql-query-complexity');

/** Refuses operations nested deeper than `maxDepth` (introspection excepted). */
export function depthRule(maxDepth: number): ValidationRule {
  return maxDepthRule({
    n: maxDepth,
    ignoreIntrospection: true,
    flattenFragments: true,
    exposeLimits: true,
    // Reported as a validation error (400) rather than thrown (which Apollo would turn into a 500).
    propagateOnRejection: false,
    onReject: [
      (context, error) => {
        if (context) context.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
      },
    ],
  });
}

/**
 * The cost of an operation: each field 1, lists their page size times their items, long work what
 * `prices` says it will do (see common/complexity.ts, work-cost.ts). Returns a QUERY_TOO_COMPLEX
 * error above `max`.
 */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  max: number,
  prices?: WorkPrices,
): GraphQLError | undefined {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      ...(operationName ? { operationName } : {}),
      variables: variables ?? {},
      estimators: [
        workEstimator(prices),
        fieldExtensionsEstimator(),
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  } catch {
    // Variables that do not fit their types: execution refuses them with a precise BAD_USER_INPUT.
    return undefined;
  }
  if (cost <= max) return undefined;
  return apiError(
    'QUERY_TOO_COMPLEX',
    `the operation costs ${cost}, more than the limit of ${max}: ask for smaller pages (first) or fewer fields ` +
      `(verifyLog costs 1 per ${EVENTS_PER_COST} events of the log, a state 1 per ${VERSIONS_PER_COST} versions it replays)`,
    { cost, maxCost: max },
  );
}

/**
 * Refuses subscriptions over HTTP, then operations costing more than `max`, before anything runs:
 * the long work is priced by asking the store what it would do (one cheap read per system named).
 */
export function complexityPlugin<T extends object>(
  schema: GraphQLSchema,
  max: number,
  store: EventStore,
): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError(
              'subscriptions are served over graphql-ws (WebSocket) on this same URL, not over HTTP POST',
              {
                extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
              },
            );
          }
          const prices = await mapped(() =>
            priceWork(store, schema, document, request.operationName, request.variables),
          );
          const error = complexityError(
            schema,
            document,
            request.operationName,
            request.variables,
            max,
            prices,
          );
          if (error) throw error;
        },
      };
    },
  };
}

/** "5mb" -> bytes, for the WebSocket frame limit (Express parses the same string itself). */
export function bytesOf(size: string): number {
  const match = /^(\d+)(b|kb|mb)$/.exec(size.toLowerCase());
  if (!match) throw new Error(`not a size: ${size}`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2] as 'b' | 'kb' | 'mb'];
  return Number(match[1]) * unit;
}
