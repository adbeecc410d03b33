import type { ApiKeyRole } from '@pasid/store';
import type { AuthCheckerFn } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { apiError } from '../errors.js';
import { roleAllows } from './roles.js';

/**
 * `@Authorized('writer')` on a resolver: the caller needs a live key with at least that role.
 * Throws coded errors itself so that a missing key (UNAUTHENTICATED) and a weak one (FORBIDDEN)
 * stay distinct.
 */
export const authChecker: AuthCheckerFn<ApiContext, ApiKeyRole> = ({ context, info }, roles) => {
  const need = roles[0] ?? 'reader';
  const key = context.caller.key;
  if (!key) {
    throw apiError(
      'UNAUTHENTICATED',
      `${info.fieldName} needs an API key with role ${need}: send "Authorization: Bearer <key>"`,
    );
  }
  if (!roleAllows(key.role, need)) {
    throw apiError(
      'FORBIDDEN',
      `${info.fieldName} needs role ${need}; the key "${key.name}" has role ${key.role}`,
    );
  }
  return true;
};
