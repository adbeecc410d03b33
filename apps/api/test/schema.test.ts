import { readFile } from 'node:fs/promises';
import { buildApiSchema, printApiSchema } from '@pasid/api';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

describe('schema.graphql', () => {
  it('is the schema the resolvers build (run `npm run schema -w @pasid/api` after changing them)', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(printApiSchema(await buildApiSchema())).toBe(committed);
  });

  it('has the operations of the contract with their arguments', async () => {
    const schema = await buildApiSchema();
    const fieldArgs = (type: 'Query' | 'Mutation' | 'Subscription', field: string) => {
      const root = schema.getType(type) as GraphQLObjectType;
      return root.getFields()[field]?.args.map((a) => `${a.name}: ${String(a.type)}`);
    };
    expect(fieldArgs('Mutation', 'recordEvents')).toEqual([
      'system: String!',
      'expectedVersion: Int',
      'events: [LifecycleEventInput!]!',
    ]);
    expect(fieldArgs('Mutation', 'importHistory')).toEqual([
      'system: String!',
      'policy: Policy',
      'history: String!',
    ]);
    expect(fieldArgs('Query', 'system')).toEqual(['name: String!']);
    expect(fieldArgs('Query', 'events')).toContain('system: String!');
    expect(fieldArgs('Subscription', 'eventAppended')).toEqual(['system: String', 'after: Position']);
  });
});
