import { env } from '../env';
import { requestKey } from '../session';
import { LedgerUnavailableError } from './client';

/**
 * History files between the browser and the API's `/systems/{name}/history`, streamed through the
 * web server without being held: the request body goes on as it arrives, the answer comes back as
 * the API writes it. Sent with the signed-in person's key, as every other call (lib/session.ts).
 */
function historyUrl(name: string, policy?: string): string {
  const url = new URL(`/systems/${encodeURIComponent(name)}/history`, env().apiUrl);
  if (policy) url.searchParams.set('policy', policy);
  return url.toString();
}

async function send(url: string, init: RequestInit): Promise<Response> {
  const key = await requestKey();
  try {
    return await fetch(url, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      cache: 'no-store',
    });
  } catch (error) {
    throw new LedgerUnavailableError(url, error);
  }
}

/** POSTs a history file's bytes to the API as they come; the API's answer as it gave it. */
export function importHistoryStream(
  name: string,
  policy: string | undefined,
  body: ReadableStream<Uint8Array>,
): Promise<Response> {
  return send(historyUrl(name, policy), {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
    duplex: 'half',
  } as RequestInit);
}

/** The API's streamed export of a system's history. */
export function exportHistoryStream(name: string): Promise<Response> {
  return send(historyUrl(name), { method: 'GET' });
}
