import { redirect } from 'next/navigation';
import { env } from '../env';
import { requestKey } from '../session';
import type { TypedDocumentString } from './generated/graphql';

/** An error the API answered with (GraphQL `errors`), with its `extensions.code` when given. */
export class LedgerError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

/** The API could not be reached at all. */
export class LedgerUnavailableError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `the PASID Ledger API at ${url} is not reachable (${cause instanceof Error ? cause.message : String(cause)})`,
    );
    this.name = 'LedgerUnavailableError';
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * Sends one generated GraphQL operation over HTTP, typed by the schema (lib/ledger/generated);
 * never cached (the ledger changes under our feet).
 */
export function ledgerFetch<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  return ledgerFetchText<TResult>(document.toString(), (variables ?? {}) as Record<string, unknown>);
}

/**
 * An operation built at run time (aliases per version): its result type comes from its fragments.
 * Sent with the signed-in person's key (lib/session.ts), or `as.key` when given (sign-in checks a
 * key before keeping it; null sends none).
 */
export async function ledgerFetchText<T>(
  query: string,
  variables: Record<string, unknown> = {},
  as?: { key: string | null },
): Promise<T> {
  const { apiUrl } = env();
  const key = as ? as.key : await requestKey();
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
    });
  } catch (error) {
    throw new LedgerUnavailableError(apiUrl, error);
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await response.json()) as GraphQLResponse<T>;
  } catch {
    throw new LedgerError(`the API answered ${response.status} ${response.statusText} without JSON`, null);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : null;
    // No key where this API needs one to read, or a key it no longer takes (revoked): the way
    // on is to sign in, whatever page asked (a page's own error would be masked in production).
    if (code === 'UNAUTHENTICATED' && !as) redirect(`/sign-in?reason=${key ? 'refused' : 'key-needed'}`);
    throw new LedgerError(first.message, code, first.extensions ?? {});
  }
  if (!body.data) throw new LedgerError(`the API answered ${response.status} without data`, null);
  return body.data;
}
