import { z } from 'zod';

/** Every setting of the gateway, from environment variables only, parsed and checked here once. */

const upstream = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const envSchema = z.object({
  GATEWAY_PORT: z.coerce
    .number({ error: 'must be a port number' })
    .int({ error: 'must be a port number' })
    .min(0, { error: 'must be a port number from 0 to 65535' })
    .max(65535, { error: 'must be a port number from 0 to 65535' })
    .default(8080),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_API_UPSTREAMS: z
    .string()
    .default('http://127.0.0.1:4000')
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(upstream).min(1, { error: 'must name at least one API replica' })),
  GATEWAY_WEB_UPSTREAM: upstream.default('http://127.0.0.1:3000'),
});

export interface GatewayConfig {
  port: number;
  host: string;
  /** The API replicas, taken in turn for each request and each WebSocket. */
  apiUpstreams: string[];
  webUpstream: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) =>
        `  ${String(issue.path[0])}=${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.GATEWAY_PORT,
    host: e.GATEWAY_HOST,
    apiUpstreams: e.GATEWAY_API_UPSTREAMS,
    webUpstream: e.GATEWAY_WEB_UPSTREAM,
  };
}
