import { z } from 'zod';

/**
 * The web app's configuration, parsed once. Nothing else reads `process.env`.
 * - PASID_API_URL: the GraphQL endpoint for queries and mutations (HTTP).
 * - PASID_API_WS_URL: the graphql-ws endpoint the browser subscribes to; defaults to PASID_API_URL
 *   with ws:// (or wss://), which is where the API serves it.
 * - PASID_API_KEY: the key the API requires for writes (imports, records, creates), or
 *   PASID_API_KEY_FILE: a file holding it (the start command writes one for the embedded database).
 */
const schema = z.object({
  PASID_API_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000/graphql'),
  PASID_API_WS_URL: z.url({ protocol: /^wss?$/ }).optional(),
  PASID_API_KEY: z.string().min(1).optional(),
  PASID_API_KEY_FILE: z.string().min(1).optional(),
});

export interface WebEnv {
  apiUrl: string;
  apiWsUrl: string;
  apiKey: string | undefined;
  apiKeyFile: string | undefined;
}

export function parseEnv(source: Record<string, string | undefined>): WebEnv {
  const parsed = schema.safeParse({
    PASID_API_URL: source.PASID_API_URL || undefined,
    PASID_API_WS_URL: source.PASID_API_WS_URL || undefined,
    PASID_API_KEY: source.PASID_API_KEY || undefined,
    PASID_API_KEY_FILE: source.PASID_API_KEY_FILE || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid web app environment: ${problems}`);
  }
  const { PASID_API_URL, PASID_API_WS_URL, PASID_API_KEY, PASID_API_KEY_FILE } = parsed.data;
  return {
    apiUrl: PASID_API_URL,
    apiWsUrl: PASID_API_WS_URL ?? PASID_API_URL.replace(/^http/, 'ws'),
    apiKey: PASID_API_KEY,
    apiKeyFile: PASID_API_KEY_FILE,
  };
}

let cached: WebEnv | undefined;

export function env(): WebEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
