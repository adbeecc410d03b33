#!/usr/bin/env node
/**
 * `node scripts/migrate.mjs`: applies the pending migrations to the database the environment
 * names (DATABASE_URL, else the embedded one in PASID_DATA_DIR) and exits. With API_START_KEY_FILE
 * it also makes sure a working writer key for the first user (named API_START_KEY_NAME) is in that
 * file (the start command on Postgres; a deployment creates its users' keys with keys.js instead).
 * It is the compose file's one-shot `migrate` service. Run it before the API replicas: the
 * migrator is safe from several processes at once, but one run keeps their start-up short.
 */
import { pathToFileURL } from 'node:url';

/** Migrates (opening the store does it) and, given a file, ensures the start key in it. */
export async function migrateAndKey(options) {
  const { openEventStore } = await import('@pasid/store');
  const { ensureStartKey } = await import('@pasid/api');
  const store = await openEventStore(
    options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: options.dataDir },
  );
  try {
    return options.startKeyFile
      ? await ensureStartKey(store.apiKeys, options.startKeyFile, options.startKeyName)
      : null;
  } finally {
    await store.close();
  }
}

async function main() {
  const { ConfigError, loadConfig } = await import('@pasid/api');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pasid-migrate: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const where = config.databaseUrl ? 'the Postgres server' : `the embedded database in ${config.dataDir}`;
  const key = await migrateAndKey(config);
  console.log(`pasid-migrate: ${where} is migrated`);
  if (key)
    console.log(
      `pasid-migrate: sign-in key for ${key.name} ${key.created ? 'written to' : 'kept in'} ${key.file}`,
    );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
