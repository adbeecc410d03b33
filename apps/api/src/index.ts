import 'reflect-metadata';

export { ensureWebKey, WEB_KEY_FILE } from './auth/web-key.js';
export { type ApiConfig, ConfigError, loadConfig } from './config.js';
export { buildApiSchema, printApiSchema } from './schema.js';
export { type RunningApi, startApiServer } from './server/server.js';
export { openStore } from './store.js';
