/**
 * The event store the environment names, with the API's own checks of DATABASE_URL and
 * PASID_DATA_DIR (apps/api/src/config.ts), so that every command reads them the same way.
 */
export async function openStoreFromEnv(command) {
  const { ConfigError, loadConfig } = await import('@pasid/api');
  const { openEventStore } = await import('@pasid/store');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${command}: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const where = config.databaseUrl
    ? 'the Postgres server (DATABASE_URL)'
    : `the embedded database in ${config.dataDir}`;
  const store = await openEventStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  return { store, where };
}

/** A system name as a file name that round-trips (names may hold any character). */
export const fileNameOf = (system) => `${encodeURIComponent(system).replaceAll('.', '%2E')}.jsonl`;
