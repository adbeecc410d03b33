#!/usr/bin/env node
import 'reflect-metadata';
import path from 'node:path';
import { ensureWebKey, WEB_KEY_FILE } from './auth/web-key.js';
import { ConfigError, loadConfig } from './config.js';
import { startApiServer } from './server/server.js';
import { openStore } from './store.js';

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
  const store = await openStore(config);
  if (!config.databaseUrl) {
    const file = config.webKeyFile ?? path.join(config.dataDir, WEB_KEY_FILE);
    const web = await ensureWebKey(store.apiKeys, file);
    console.log(`pasid-api: web app key ${web.created ? 'written to' : 'kept in'} ${web.file}`);
  }
  const api = await startApiServer(store, config);
  console.log(
    `pasid-api: listening on ${api.url} (${config.databaseUrl ? 'Postgres' : `embedded database in ${config.dataDir}`})`,
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await api.close();
  await store.close();
  return 0;
}

process.exitCode = await main();
