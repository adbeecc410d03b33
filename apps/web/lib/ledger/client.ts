import { readFile } from 'node:fs/promises';
import { env } from '../env';
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

async function apiKey(): Promise<string | undefined> {
  const { apiKey: key, apiKeyFile } = env();
  if (key) return key;
  if (apiKeyFile) {
    try {
      return (await readFile(apiKeyFile, 'utf8')).trim() || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
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

/** An operation built at run time (aliases per version): its result type comes from its fragments. */
export async function ledgerFetchText<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { apiUrl } = env();
  const key = await apiKey();
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
    throw new LedgerError(first.message, code, first.extensions ?? {});
  }
  if (!body.data) throw new LedgerError(`the API answered ${response.status} without data`, null);
  return body.data;
}
