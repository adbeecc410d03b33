#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { startGateway } from './gateway.js';

/** `node apps/gateway/dist/main.js`: the front address on GATEWAY_PORT until SIGINT or SIGTERM. */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pasid-gateway: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const gateway = await startGateway(config);
  console.log(
    `pasid-gateway: listening on ${gateway.url} (API: ${config.apiUpstreams.join(', ')}; web: ${config.webUpstream})`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.close();
  return 0;
}

process.exitCode = await main();
