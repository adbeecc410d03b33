import type { ApiKeyStore } from '@pasid/store';
import { apiError, mapped } from '../errors.js';
import type { Caller } from './roles.js';

/** The token of an `Authorization: Bearer <token>` value, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw apiError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <api key>"');
  return match[1];
}

/**
 * The caller behind an Authorization header. A key that is unknown or revoked is refused outright
 * (rather than treated as anonymous) so that a client with a bad key learns it at once.
 */
export async function authenticate(
  keys: ApiKeyStore,
  header: string | undefined,
  readsRequireKey: boolean,
): Promise<Caller> {
  const token = bearerToken(header);
  if (token === undefined) {
    if (readsRequireKey)
      throw apiError('UNAUTHENTICATED', 'this API requires an API key: send "Authorization: Bearer <key>"');
    return { key: null };
  }
  const key = await mapped(() => keys.authenticate(token));
  if (!key) throw apiError('UNAUTHENTICATED', 'the API key is unknown or has been revoked');
  return { key };
}
