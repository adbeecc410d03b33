import 'reflect-metadata';

export { SIGN_IN_COOKIE } from './auth/sign-in-cookie.js';
export { ensureStartKey, START_KEY_FILE, START_KEY_NAME } from './auth/start-key.js';
export { type ApiConfig, ConfigError, loadConfig } from './config.js';
export { buildApiSchema, printApiSchema } from './schema.js';
export { type RunningApi, startApiServer } from './server/server.js';
export { openStore } from './store.js';
