export { ConfigError, type GatewayConfig, loadConfig } from './config.js';
export { isApiPath, type RunningGateway, startGateway, UPSTREAM_HEADER } from './gateway.js';
