import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// One graphql module for everything the tests load, or graphql-js refuses "another module or realm".
const graphqlPath = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: { graphql: graphqlPath } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The suites start servers and child processes on a shared machine: one file at a time.
    fileParallelism: false,
  },
});
