import { z } from 'zod';
import { type WsTarget, wsTargetFrom } from './ws-target';

/**
 * The web app's configuration, parsed once. Nothing else reads `process.env`.
 * - PASID_API_URL: the GraphQL endpoint for queries and mutations (HTTP).
 * - PASID_API_WS_URL: the graphql-ws endpoint the browser subscribes to: a ws(s):// URL, or a path
 *   (`/graphql`) on the page's own origin; unset, the page's host name with PASID_API_URL's port
 *   and path (see ws-target.ts).
 * - PASID_API_KEY: the key the API requires for writes (imports, records, creates), or
 *   PASID_API_KEY_FILE: a file holding it (the start command writes one for the embedded database).
 */
const schema = z.object({
  PASID_API_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000/graphql'),
  PASID_API_WS_URL: z
    .union([z.url({ protocol: /^wss?$/ }), z.string().regex(/^\/\S*$/)], {
      error: 'must be a ws:// or wss:// URL, or a path starting with /',
    })
    .optional(),
  PASID_API_KEY: z.string().min(1).optional(),
  PASID_API_KEY_FILE: z.string().min(1).optional(),
});

export interface WebEnv {
  apiUrl: string;
  /** Where the browser subscribes, resolved against the page's location there. */
  apiWs: WsTarget;
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
    apiWs: wsTargetFrom(PASID_API_URL, PASID_API_WS_URL),
    apiKey: PASID_API_KEY,
    apiKeyFile: PASID_API_KEY_FILE,
  };
}

let cached: WebEnv | undefined;

export function env(): WebEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
