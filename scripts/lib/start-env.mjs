/**
 * The start command's own settings, from environment variables only, checked before anything
 * runs. Plain Node on purpose: this runs before `npm ci`, when no dependency is installed yet.
 * The API and the web app check the variables they read themselves (apps/api/src/config.ts,
 * apps/web/lib/env.ts); this checks the ones the start command uses to wire them together.
 */

export class StartConfigError extends Error {
  name = 'StartConfigError';
}

const port = (name, value, fallback, problems) => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
    problems.push(`  ${name}=${JSON.stringify(value)}: must be a port number from 1 to 65535`);
    return fallback;
  }
  return n;
};

/** The start command's settings from `env`, or a StartConfigError naming each wrong variable. */
export function loadStartConfig(env = process.env) {
  const problems = [];
  const apiPort = port('API_PORT', env.API_PORT, 4000, problems);
  const webPort = port('WEB_PORT', env.WEB_PORT, 3000, problems);
  if (apiPort === webPort && problems.length === 0) {
    problems.push(`  API_PORT and WEB_PORT are both ${apiPort}: they must differ`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(
      `  DATABASE_URL=${JSON.stringify(databaseUrl)}: must be a postgres:// or postgresql:// URL`,
    );
  }
  const samples = (env.PASID_LOAD_SAMPLES || 'auto').toLowerCase();
  if (!['auto', 'true', 'false', '1', '0', 'yes', 'no'].includes(samples)) {
    problems.push(
      `  PASID_LOAD_SAMPLES=${JSON.stringify(env.PASID_LOAD_SAMPLES)}: must be auto, true or false`,
    );
  }
  const host = (name, fallback) => {
    const value = env[name] || fallback;
    if (/\s|\/|:\/\//.test(value))
      problems.push(`  ${name}=${JSON.stringify(value)}: must be a host name or address`);
    return value;
  };
  // Passed through to the web app (apps/web/lib/env.ts checks it again as it starts).
  const wsUrl = env.PASID_API_WS_URL;
  if (wsUrl && !/^wss?:\/\/[^\s/]+/.test(wsUrl) && !/^\/\S*$/.test(wsUrl)) {
    problems.push(
      `  PASID_API_WS_URL=${JSON.stringify(wsUrl)}: must be a ws:// or wss:// URL, or a path starting with /`,
    );
  }
  const apiHost = host('API_HOST', '127.0.0.1');
  const webHost = host('WEB_HOST', '127.0.0.1');
  if (problems.length > 0) throw new StartConfigError(`invalid environment:\n${problems.join('\n')}`);
  return {
    apiPort,
    webPort,
    apiHost,
    webHost,
    databaseUrl,
    dataDir: env.PASID_DATA_DIR || '.data',
    // auto: the samples go into a new embedded database, never into a Postgres server unasked.
    loadSamples: samples === 'auto' ? !databaseUrl : ['true', '1', 'yes'].includes(samples),
  };
}
