import type { ApolloServerPlugin } from '@apollo/server';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { apiError } from '../errors.js';

/** Refuses operations nested deeper than `maxDepth` (introspection excepted). */
export function depthRule(maxDepth: number): ValidationRule {
  return maxDepthRule({ n: maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true });
}

/**
 * The cost of an operation: each field 1, lists their page size times their items, a state a replay
 * (see common/complexity.ts). Returns a QUERY_TOO_COMPLEX error above `max`.
 */
export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  max: number,
): GraphQLError | undefined {
  const cost = getComplexity({
    schema,
    query: document,
    ...(operationName ? { operationName } : {}),
    variables: variables ?? {},
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost <= max) return undefined;
  return apiError(
    'QUERY_TOO_COMPLEX',
    `the operation costs ${cost}, more than the limit of ${max}: ask for smaller pages (first) or fewer fields`,
    { cost, maxCost: max },
  );
}

export function complexityPlugin<T extends object>(
  schema: GraphQLSchema,
  max: number,
): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const error = complexityError(schema, document, request.operationName, request.variables, max);
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
