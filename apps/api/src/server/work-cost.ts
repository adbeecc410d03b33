import type { EventStore, StateQuery } from '@pasid/store';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { divergenceCost, stateCost, verifyCost } from '../common/complexity.js';
import { MAX_STATES_PER_REQUEST } from '../state/state.args.js';

/** A `state` or `states` field of an operation and the state reads it will do. */
interface StateNeed {
  node: FieldNode;
  /** The system it is read on, when the operation names it (`system(name:)`); null: any system. */
  system: string | null;
  queries: StateQuery[];
}

/** What the long work of one operation will cost, priced before it runs (see `workEstimator`). */
export interface WorkPrices {
  /** The events of the log, when the operation asks for `verifyLog`. */
  verifyEvents: number;
  /** Each divergence field's cost (two replays of its system's history). */
  divergences: Map<FieldNode, number>;
  /** Each state field's cost (its replays), and how many states it reads. */
  states: Map<FieldNode, { cost: number; reads: number }>;
}

const NO_WORK: WorkPrices = { verifyEvents: 0, divergences: new Map(), states: new Map() };

/**
 * Asks the store what the operation's long work would do, without doing it: the log's size for
 * `verifyLog` (the systems' event counts), a divergence search's system's
 * version (it replays the history under two policies), and for each state read the
 * versions it would replay from its nearest snapshot (one round trip per system named). Where the
 * operation does not name the system (`systems { state }`, a mutation's result), the costliest
 * system is assumed.
 */
export async function priceWork(
  store: EventStore,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): Promise<WorkPrices> {
  const found = collectWork(schema, document, operationName, variables);
  if (!found || (!found.verify && found.states.length === 0 && found.divergences.length === 0))
    return NO_WORK;
  // The events verify walks: every system's count (a row each), not the head position, which
  // need not equal the count (a log whose positions start later, as after a restore elsewhere).
  const verifyEvents = found.verify
    ? (await store.listSystems()).reduce((sum, system) => sum + system.eventCount, 0)
    : 0;
  const divergences = new Map<FieldNode, number>();
  await Promise.all(
    found.divergences.map(async ({ node, system }) => {
      const info = system === null ? null : await store.getSystem(system);
      divergences.set(node, divergenceCost(info?.version ?? 0));
    }),
  );
  const states = new Map<FieldNode, { cost: number; reads: number }>();
  if (found.states.length > 0) {
    const named = new Set(found.states.map((n) => n.system).filter((s): s is string => s !== null));
    const everySystem = found.states.some((n) => n.system === null);
    const systems = everySystem
      ? new Set([...named, ...(await store.listSystems()).map((s) => s.name)])
      : named;
    // One call per system with every query of the operation on it, split back per field.
    const costs = new Map<string, number[]>();
    await Promise.all(
      [...systems].map(async (system) => {
        const queries = found.states.flatMap((n) =>
          n.system === null || n.system === system ? n.queries : [],
        );
        costs.set(system, (await store.versionsToReplay(system, queries)).map(stateCost));
      }),
    );
    const taken = new Map<string, number>();
    const take = (system: string, count: number) => {
      const at = taken.get(system) ?? 0;
      taken.set(system, at + count);
      return (costs.get(system) ?? []).slice(at, at + count).reduce((a, b) => a + b, 0);
    };
    for (const need of found.states) {
      const reads = need.queries.length;
      const cost =
        need.system === null
          ? Math.max(stateCost(0) * reads, ...[...systems].map((s) => take(s, reads)))
          : take(need.system, reads);
      states.set(need.node, { cost, reads });
    }
  }
  return { verifyEvents, divergences, states };
}

/** The estimator of the long-work fields: what `priceWork` found, plus what is asked of each. */
export function workEstimator(prices: WorkPrices = NO_WORK): ComplexityEstimator {
  return ({ type, field, node, args, childComplexity }) => {
    if (type.name === 'Query' && field.name === 'verifyLog') {
      return verifyCost(prices.verifyEvents) + childComplexity;
    }
    if (type.name === 'Query' && field.name === 'divergence') {
      return (prices.divergences.get(node) ?? divergenceCost(0)) + childComplexity;
    }
    if (type.name === 'System' && (field.name === 'state' || field.name === 'states')) {
      const priced = prices.states.get(node);
      const reads =
        priced?.reads ??
        (field.name === 'states' && Array.isArray(args.versions)
          ? Math.min(args.versions.length, MAX_STATES_PER_REQUEST)
          : 1);
      return (priced?.cost ?? stateCost(0) * reads) + reads * childComplexity;
    }
    return undefined;
  };
}

/** The operation's `verifyLog`, divergence and state fields, with the system each is read on; null when the variables do not fit. */
function collectWork(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): {
  verify: boolean;
  divergences: { node: FieldNode; system: string | null }[];
  states: StateNeed[];
} | null {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return null; // Execution refuses them with a precise error.
  const values = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const found = {
    verify: false,
    divergences: [] as { node: FieldNode; system: string | null }[],
    states: [] as StateNeed[],
  };
  const argument = (node: FieldNode, name: string): unknown => {
    const value = node.arguments?.find((a) => a.name.value === name)?.value;
    if (!value) return undefined;
    if (value.kind === Kind.VARIABLE) return values[value.name.value];
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.STRING || value.kind === Kind.ENUM) return value.value;
    if (value.kind === Kind.LIST) {
      return value.values.map((v) =>
        v.kind === Kind.INT ? Number(v.value) : v.kind === Kind.VARIABLE ? values[v.name.value] : undefined,
      );
    }
    return undefined;
  };
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, system: string | null) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) walk(selection.selectionSet, type, system);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type)) walk(fragment.selectionSet, type, system);
        continue;
      }
      const name = selection.name.value;
      const field = isObjectType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue;
      let inner = system;
      if (parent === root && name === 'verifyLog') found.verify = true;
      if (parent === root && name === 'divergence') {
        const named = argument(selection, 'system');
        found.divergences.push({ node: selection, system: typeof named === 'string' ? named : null });
      }
      if (parent === root && name === 'system') {
        const named = argument(selection, 'name');
        inner = typeof named === 'string' ? named : null;
      } else if (parent === root) inner = null;
      if (parent.name === 'System' && (name === 'state' || name === 'states')) {
        const policy = argument(selection, 'policy');
        const query = (at: unknown): StateQuery => ({
          ...(typeof at === 'number' ? { version: at } : {}),
          ...(typeof policy === 'string' ? { policy: policy as NonNullable<StateQuery['policy']> } : {}),
        });
        const versions = argument(selection, 'versions');
        found.states.push({
          node: selection,
          system,
          queries:
            name === 'state'
              ? [query(argument(selection, 'at'))]
              : (Array.isArray(versions) ? versions : []).slice(0, MAX_STATES_PER_REQUEST).map(query),
        });
      }
      const type = getNamedType(field.type);
      if (selection.selectionSet && isCompositeType(type)) walk(selection.selectionSet, type, inner);
    }
  };
  walk(operation.selectionSet, root, null);
  return found;
}
