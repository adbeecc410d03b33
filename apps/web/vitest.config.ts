import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': here } },
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // The browser tests start the API and the web app: one file at a time keeps a 2-core machine usable.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
