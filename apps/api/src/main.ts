#!/usr/bin/env node
import 'reflect-metadata';
import path from 'node:path';
import { DataDirError } from '@pasid/store';
import { ensureStartKey, START_KEY_FILE } from './auth/start-key.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './ops/logger.js';
import { startApiServer } from './server/server.js';
import { openStore } from './store.js';

/**
 * Past the grace for requests, this long more for the refusals to leave and the database to
 * close; then the shutdown exits anyway (Postgres rolls back what is open).
 */
const CLOSE_TIMEOUT_MS = 10_000;

/** `node apps/api/dist/main.js`: the API on API_PORT (default 4000), until SIGINT or SIGTERM. */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pasid-api: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(config);
  } catch (error) {
    // The data folder is the operator's to fix (wrong path, another program's folder).
    if (error instanceof DataDirError) {
      console.error(`pasid-api: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (!config.databaseUrl) {
    // A machine of one's own: its first user gets a writer key to sign in to the web app with.
    const file = config.startKeyFile ?? path.join(config.dataDir, START_KEY_FILE);
    const key = await ensureStartKey(store.apiKeys, file, config.startKeyName);
    logger.info(
      { file: key.file, name: key.name },
      `sign-in key for ${key.name} ${key.created ? 'written to' : 'kept in'} ${key.file}`,
    );
  }
  // Start and stop are told whatever LOG_LEVEL says: the start command waits for "listening on".
  const lifecycle = logger.isLevelEnabled('info') ? logger : logger.child({}, { level: 'info' });
  const api = await startApiServer(store, config, { logger });
  const database = config.databaseUrl ? 'Postgres' : `embedded database in ${config.dataDir}`;
  // The start command and the tests wait for this line: keep "listening on <url>" in it.
  lifecycle.info({ url: api.url }, `pasid-api: listening on ${api.url} (${database})`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  lifecycle.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
  const force = (why: string) => {
    logger.error(`shutdown ${why}: exiting now`);
    process.exit(1);
  };
  const limitMs = config.shutdownGraceMs + CLOSE_TIMEOUT_MS;
  const timer = setTimeout(() => force(`took over ${limitMs / 1000} s`), limitMs);
  timer.unref();
  for (const again of ['SIGINT', 'SIGTERM'] as const)
    process.once(again, () => force(`interrupted by ${again}`));
  // Requests in flight finish and are answered (their writes commit or roll back whole), or past
  // the grace are refused 503 with Retry-After; WebSockets close with 1001 "Going away"; then
  // the database.
  const requests = await api.close();
  await store.close();
  clearTimeout(timer);
  lifecycle.info(requests, 'stopped');
  return 0;
}

process.exitCode = await main();
