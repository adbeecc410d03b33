import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../codegen';

/**
 * The web app's operations are typed from the API's schema by GraphQL Code Generator. Here the
 * generator runs again: a document that no longer fits apps/api/schema.graphql fails it, and
 * generated files that differ from what the schema gives now fail the comparison (run
 * `npm run codegen -w @pasid/web`, then the typecheck shows what the change breaks).
 */
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = path.join(WEB, '../api/schema.graphql');

const run = (schema: string) =>
  generate({ ...config, schema, cwd: WEB, silent: true, errorsOnly: true }, false);

describe('generated GraphQL types', () => {
  it('are what apps/api/schema.graphql gives for the documents in lib/ledger', {
    timeout: 60_000,
  }, async () => {
    const files = await run(SCHEMA);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const committed = readFileSync(path.resolve(WEB, file.filename), 'utf8');
      expect(committed, `${file.filename} is stale: run npm run codegen -w @pasid/web`).toBe(file.content);
    }
  });

  it('fail on a query that the schema no longer answers', { timeout: 60_000 }, async () => {
    // The schema without System.livePasids, which the SystemSummary fragment selects.
    const broken = readFileSync(SCHEMA, 'utf8').replace(/\n\s*("""[^"]*"""\s*)?livePasids: Int!/, '');
    expect(broken).not.toContain('livePasids');
    await expect(run(broken)).rejects.toThrow(/livePasids/);
  });
});
