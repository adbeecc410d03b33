import { HistoryError } from '@pasid/domain';
import {
  ConflictError,
  HistoryImportError,
  IdConflictError,
  isDatabaseUnavailable,
  RejectedEventError,
  StoreError,
} from '@pasid/store';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The error codes clients see in `extensions.code`. The store and the domain raise their own
 * errors; this module alone turns them into GraphQL errors, and masks everything unexpected.
 */
export type ApiErrorCode =
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'ALREADY_EXISTS'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'QUERY_TOO_COMPLEX'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE'
  | 'TOO_MANY_REQUESTS';

const httpStatus: Partial<Record<ApiErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  QUERY_TOO_COMPLEX: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  TOO_MANY_REQUESTS: 429,
};

export function apiError(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
  const status = httpStatus[code];
  return new GraphQLError(message, {
    extensions: { code, ...details, ...(status === undefined ? {} : { http: { status } }) },
  });
}

export const badInput = (message: string, details: Record<string, unknown> = {}) =>
  apiError('BAD_USER_INPUT', message, details);

export const notFound = (what: string, name: string | number) =>
  apiError('NOT_FOUND', `${what} ${JSON.stringify(name)} not found`, { [what]: name });

/** Maps an error of the store or the domain to a coded GraphQL error; anything else goes up as is. */
export function toApiError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (isDatabaseUnavailable(error)) {
    // The write may have committed before the connection went: a retry with the same event ids
    // is answered from the log (idempotentReplay) instead of storing the batch twice.
    const uncertain = (error as { commitUncertain?: boolean }).commitUncertain === true;
    return apiError(
      'UNAVAILABLE',
      uncertain
        ? 'the database connection was lost while committing: retry the request with the same event ids'
        : 'the database connection was lost: retry the request',
      { retryable: true },
    );
  }
  if (error instanceof ConflictError) {
    return apiError('CONFLICT', error.message, {
      system: error.system,
      expectedVersion: error.expectedVersion,
      actualVersion: error.actualVersion,
    });
  }
  if (error instanceof IdConflictError) {
    return apiError(
      'CONFLICT',
      `events[${error.eventIndex}].id: ${error.reason.replace(/^/, `id ${error.id} `)}`,
      {
        eventIndex: error.eventIndex,
        field: 'id',
        id: error.id,
      },
    );
  }
  if (error instanceof RejectedEventError) {
    return badInput(`events[${error.eventIndex}]${error.field ? `.${error.field}` : ''}: ${error.reason}`, {
      eventIndex: error.eventIndex,
      field: error.field ?? null,
      rejection: error.rejectionCode,
    });
  }
  if (error instanceof HistoryImportError) {
    return badInput(`history line ${error.line}: ${error.reason}`, {
      line: error.line,
      field: error.field ?? null,
      rejection: error.rejectionCode,
    });
  }
  if (error instanceof HistoryError) {
    return badInput(`history line ${error.line}: ${error.reason}`, {
      line: error.line,
      field: error.field ?? null,
      rejection: error.code,
    });
  }
  if (error instanceof StoreError) {
    switch (error.code) {
      case 'NOT_FOUND':
        return apiError('NOT_FOUND', error.message);
      case 'ALREADY_EXISTS':
        return apiError('ALREADY_EXISTS', error.message);
      case 'CONFLICT':
        return apiError('CONFLICT', error.message);
      case 'REJECTED':
      case 'INVALID':
        return badInput(error.message, error.argument === undefined ? {} : { field: error.argument });
      default:
        return apiError('BAD_USER_INPUT', error.message);
    }
  }
  return error;
}

/** Runs a store call and rethrows its failure as a coded GraphQL error. */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toApiError(error);
  }
}

const knownCodes = new Set<string>([
  'BAD_USER_INPUT',
  'CONFLICT',
  'ALREADY_EXISTS',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'TOO_MANY_REQUESTS',
  // Apollo's own: the request itself is malformed, the client's fault and safe to show.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * What a client may see of an error: coded errors as they are (without stack traces); anything
 * else (a database failure, a bug) becomes INTERNAL_SERVER_ERROR without its message, and is logged.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && knownCodes.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // Apollo's own refusals of a malformed request (a persisted query whose hash does not match)
  // come uncoded with an HTTP 4xx status: the client's mistake, said as such.
  const status = (error as GraphQLError | undefined)?.extensions?.http as { status?: number } | undefined;
  if (
    (code === undefined || code === 'INTERNAL_SERVER_ERROR') &&
    status?.status !== undefined &&
    status.status >= 400 &&
    status.status < 500
  ) {
    const hash = /sha does not match/.test(formatted.message);
    return {
      message: hash
        ? 'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it'
        : formatted.message,
      extensions: { code: 'BAD_REQUEST', ...(hash ? { field: 'extensions.persistedQuery.sha256Hash' } : {}) },
    };
  }
  // A store error that escaped a resolver without mapping still gets its proper code.
  const original = error instanceof GraphQLError ? error.originalError : error;
  const mappedError = original === undefined ? undefined : toApiError(original);
  if (mappedError instanceof GraphQLError) {
    return {
      message: mappedError.message,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { ...mappedError.extensions, http: undefined },
    };
  }
  console.error('api: unexpected error', original ?? error);
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
