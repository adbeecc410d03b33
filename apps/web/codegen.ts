import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * The web app's GraphQL operations typed from the API's schema (the contract): every
 * `graphql(...)` document in lib/ledger is validated against apps/api/schema.graphql and gets its
 * result and variables types in lib/ledger/generated. `npm run codegen` writes them; `npm test`
 * regenerates and fails when a document no longer fits the schema or the files are stale.
 */
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  documents: ['lib/ledger/**/*.ts', '!lib/ledger/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    'lib/ledger/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        scalars: {
          DateTimeISO: 'string',
          JSONObject: 'Record<string, unknown>',
          // A log position, a decimal string (exact past 2^53): see lib/ledger/log-position.ts.
          Position: 'string',
        },
      },
    },
  },
};

export default config;
