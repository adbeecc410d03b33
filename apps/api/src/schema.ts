import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AuditResolver } from './audit/audit.resolver.js';
import { authChecker } from './auth/auth-checker.js';
import { DivergenceResolver } from './divergence/divergence.resolver.js';
import { EventResolver } from './event/event.resolver.js';
import { HazardResolver } from './hazard/hazard.resolver.js';
import { LanesResolver } from './lanes/lanes.resolver.js';
import { RecordResolver } from './record/record.resolver.js';
import { StateLookupResolver, SystemStateResolver } from './state/state.resolver.js';
import { SubscriptionResolver } from './subscription/subscription.resolver.js';
import { SystemResolver } from './system/system.resolver.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';

export const resolvers = [
  SystemResolver,
  SystemStateResolver,
  StateLookupResolver,
  EventResolver,
  HazardResolver,
  LanesResolver,
  DivergenceResolver,
  RecordResolver,
  AuditResolver,
  SubscriptionResolver,
  ViewerResolver,
] as const;

/**
 * type-graphql insists on a PubSub once there are subscriptions, but ours all read the event store
 * through `subscribe` (the log is the only source of events, across processes): none publishes.
 */
const noPubSub: PubSub = {
  publish() {
    throw new Error('subscriptions read the event store; nothing is published in-process');
  },
  subscribe() {
    throw new Error('subscriptions read the event store; nothing is published in-process');
  },
};

/** The executable schema: every feature's resolvers, with role checks. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, validate: false, pubSub: noPubSub });
}

/** The schema as SDL, sorted, as committed in `schema.graphql`. */
export function printApiSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
