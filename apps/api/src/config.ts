import { DEFAULT_HISTORY_LIMIT, parseSize } from '@pasid/domain';
import { z } from 'zod';

/**
 * Every setting of the API, from environment variables only, parsed and checked here once. Nothing
 * else in the app reads `process.env`.
 */

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], {
    error: 'must be true or false (also 1/0, yes/no)',
  })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` });

const envSchema = z.object({
  API_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int({ error: 'must be a port number' })
    .min(0, { error: 'must be a port number from 0 to 65535' })
    .max(65535, { error: 'must be a port number from 0 to 65535' })
    .default(4000),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  PASID_DATA_DIR: z.string().min(1).default('.data'),
  READS_REQUIRE_KEY: flag.default(false),
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, { error: 'must be a size like 512kb or 5mb' })
    .default('5mb'),
  PASID_HISTORY_LIMIT: z
    .string()
    .refine((value) => (parseSize(value) ?? 0) > 0, { error: 'must be a size like 50mb or 1gb' })
    .default(DEFAULT_HISTORY_LIMIT),
  API_MAX_DEPTH: positiveInt(100).default(12),
  API_MAX_COMPLEXITY: positiveInt(10_000_000).default(20_000),
  API_MAX_PAGE_SIZE: positiveInt(100_000).default(1000),
  API_INTROSPECTION: flag.default(true),
  API_SHUTDOWN_GRACE_SECONDS: positiveInt(3600).default(20),
  API_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  API_LONG_WORK_CONCURRENCY: positiveInt(64).default(4),
  API_LONG_WORK_PER_KEY: positiveInt(100_000).default(256),
  API_KEY_RECHECK_MS: positiveInt(3_600_000).default(5000),
  API_START_KEY_FILE: z.string().min(1).optional(),
  API_START_KEY_NAME: z.string().trim().min(1).max(100).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export interface ApiConfig {
  port: number;
  host: string;
  /** A Postgres server; absent means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  readsRequireKey: boolean;
  bodyLimit: string;
  /** Bytes a history file sent to /systems/{name}/history may have (the web app's limit too). */
  historyLimit: number;
  maxDepth: number;
  maxComplexity: number;
  maxPageSize: number;
  /** Whether the schema can be introspected (the explorer needs it); off: `__schema`/`__type` are refused. */
  introspection: boolean;
  /** On SIGTERM, how long requests in flight get to finish before they are refused (503). */
  shutdownGraceMs: number;
  /** A bearer token that may read /metrics (besides any API key); setting it closes /metrics. */
  metricsToken: string | undefined;
  /** Long operations (verifyLog, what-if and time-travel replays) running at once in a process. */
  longWorkConcurrency: number;
  /** Long operations one key (or all anonymous callers) may have running or waiting. */
  longWorkPerKey: number;
  /** How often open WebSockets' keys are checked again (a revoked key's socket closes with 4403). */
  keyRecheckMs: number;
  /** Where the first user's writer key is kept on the embedded database (the start command prints it). */
  startKeyFile: string | undefined;
  /** That key's name: the actor the audit log names for the first user's writes. */
  startKeyName: string | undefined;
  /** The lowest level written to the JSON log. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The config from `env` (default `process.env`), or a ConfigError naming each wrong variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  // An empty variable counts as unset, as shells and .env files often leave them.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) =>
        `  ${issue.path.join('.')}=${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.API_PORT,
    host: e.API_HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.PASID_DATA_DIR,
    readsRequireKey: e.READS_REQUIRE_KEY,
    bodyLimit: e.API_BODY_LIMIT.toLowerCase(),
    historyLimit: parseSize(e.PASID_HISTORY_LIMIT) ?? 0,
    maxDepth: e.API_MAX_DEPTH,
    maxComplexity: e.API_MAX_COMPLEXITY,
    maxPageSize: e.API_MAX_PAGE_SIZE,
    introspection: e.API_INTROSPECTION,
    shutdownGraceMs: e.API_SHUTDOWN_GRACE_SECONDS * 1000,
    keyRecheckMs: e.API_KEY_RECHECK_MS,
    longWorkConcurrency: e.API_LONG_WORK_CONCURRENCY,
    longWorkPerKey: e.API_LONG_WORK_PER_KEY,
    metricsToken: e.API_METRICS_TOKEN,
    startKeyFile: e.API_START_KEY_FILE,
    startKeyName: e.API_START_KEY_NAME,
    logLevel: e.LOG_LEVEL,
  };
}
