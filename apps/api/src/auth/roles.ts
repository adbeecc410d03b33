import type { ApiKeyInfo, ApiKeyRole } from '@pasid/store';

/** Each role may do what the roles before it may: a writer reads, an admin writes. */
export const ROLE_ORDER: readonly ApiKeyRole[] = ['reader', 'writer', 'admin'];

export function roleAllows(have: ApiKeyRole, need: ApiKeyRole): boolean {
  return ROLE_ORDER.indexOf(have) >= ROLE_ORDER.indexOf(need);
}

/** Who is calling: the live API key the request carried, or nobody. */
export type Caller = { key: ApiKeyInfo } | { key: null };
