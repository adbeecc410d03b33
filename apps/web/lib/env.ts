import { DEFAULT_HISTORY_LIMIT, parseSize } from '@pasid/domain';
import { z } from 'zod';
import { type WsTarget, wsTargetFrom } from './ws-target';

/**
 * The web app's configuration, parsed once. Nothing else reads `process.env`.
 * - PASID_API_URL: the GraphQL endpoint for queries and mutations (HTTP).
 * - PASID_API_WS_URL: the graphql-ws endpoint the browser subscribes to: a ws(s):// URL, or a path
 *   (`/graphql`) on the page's own origin; unset, the page's host name with PASID_API_URL's port
 *   and path (see ws-target.ts).
 * No key: people sign in with their own (lib/session.ts). PASID_API_KEY and PASID_API_KEY_FILE,
 * the one shared writer key of earlier versions, are refused with a message saying so.
 * - PASID_HISTORY_LIMIT: the largest history file an import takes (the API's variable, read the
 *   same way with the same default, so both refuse the same files with the same words).
 */
const RETIRED_KEY =
  'is no longer read: the web app has no key of its own; people sign in with theirs (unset it; create keys with keys.js create NAME --role writer)';

const schema = z.object({
  PASID_API_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000/graphql'),
  PASID_API_WS_URL: z
    .union([z.url({ protocol: /^wss?$/ }), z.string().regex(/^\/\S*$/)], {
      error: 'must be a ws:// or wss:// URL, or a path starting with /',
    })
    .optional(),
  PASID_API_KEY: z.undefined({ error: RETIRED_KEY }),
  PASID_API_KEY_FILE: z.undefined({ error: RETIRED_KEY }),
  PASID_HISTORY_LIMIT: z
    .string()
    .refine((value) => (parseSize(value) ?? 0) > 0, { error: 'must be a size like 50mb or 1gb' })
    .default(DEFAULT_HISTORY_LIMIT),
});

export interface WebEnv {
  apiUrl: string;
  /** Where the browser subscribes, resolved against the page's location there. */
  apiWs: WsTarget;
  /** Bytes of the largest history file an import takes. */
  historyLimit: number;
}

export function parseEnv(source: Record<string, string | undefined>): WebEnv {
  const parsed = schema.safeParse({
    PASID_API_URL: source.PASID_API_URL || undefined,
    PASID_API_WS_URL: source.PASID_API_WS_URL || undefined,
    PASID_API_KEY: source.PASID_API_KEY || undefined,
    PASID_API_KEY_FILE: source.PASID_API_KEY_FILE || undefined,
    PASID_HISTORY_LIMIT: source.PASID_HISTORY_LIMIT || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid web app environment: ${problems}`);
  }
  const { PASID_API_URL, PASID_API_WS_URL, PASID_HISTORY_LIMIT } = parsed.data;
  return {
    apiUrl: PASID_API_URL,
    apiWs: wsTargetFrom(PASID_API_URL, PASID_API_WS_URL),
    historyLimit: parseSize(PASID_HISTORY_LIMIT) ?? 0,
  };
}

let cached: WebEnv | undefined;

export function env(): WebEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
