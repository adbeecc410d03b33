import { postgresAvailable } from '@pasid/testing';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';

const VIEWER = '{ viewer { name role } }';

/**
 * A socket as a browser opens it from a page: no Authorization header and no connectionParams,
 * only the cookies of the socket's host and the page's Origin.
 */
function browserLikeSocket(cookie: string | undefined, origin: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: cookie === undefined ? {} : { cookie }, origin });
    }
  };
}

/** The first message of a subscription, or how the socket closed. */
function firstOf(url: string, impl: unknown, query: string) {
  return new Promise<{ data?: unknown; closed?: number }>((resolve) => {
    const client = createClient({ url, webSocketImpl: impl, retryAttempts: 0 });
    client.subscribe(
      { query },
      {
        next: (value) => {
          resolve({ data: value.data });
          void client.dispose();
        },
        error: (error) => {
          resolve({ closed: (error as { code?: number }).code ?? -1 });
          void client.dispose();
        },
        complete: () => {},
      },
    );
  });
}

describe.skipIf(!(await postgresAvailable('the API tests')))('viewer: who a key is', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ READS_REQUIRE_KEY: 'true' });
    await ok(
      t.url,
      'mutation { createSystem(input: { name: "seen", policy: MM_EXIT }) { name } }',
      {},
      t.tokens.writer,
    );
  });
  afterAll(() => t?.close());

  it('names the key and its role; refuses an unknown or revoked one; needs a key when reads do', async () => {
    expect(await ok(t.url, VIEWER, {}, t.tokens.writer)).toEqual({
      viewer: { name: 'tracer-7', role: 'writer' },
    });
    expect(await ok(t.url, VIEWER, {}, t.tokens.reader)).toEqual({
      viewer: { name: 'auditor', role: 'reader' },
    });
    expect(await ok(t.url, VIEWER, {}, t.tokens.admin)).toEqual({
      viewer: { name: 'alice-admin', role: 'admin' },
    });
    const unknown = await gql(t.url, VIEWER, {}, 'not-a-key-at-all-0123456789abcdef');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const anonymous = await gql(t.url, VIEWER);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { token } = await t.store.apiKeys.create('short-lived', 'writer');
    expect(await ok(t.url, VIEWER, {}, token)).toEqual({ viewer: { name: 'short-lived', role: 'writer' } });
    await t.store.apiKeys.revoke('short-lived');
    const revoked = await gql(t.url, VIEWER, {}, token);
    expect(revoked.errors?.[0]?.message).toBe('the API key is unknown or has been revoked');
  });

  it('is null without a key when reads need none', async () => {
    const open = await startTestApi();
    try {
      expect(await ok(open.url, VIEWER)).toEqual({ viewer: null });
    } finally {
      await open.close();
    }
  });

  it("takes the web app's sign-in cookie on a WebSocket opened from a page of the same host only", async () => {
    const query = 'subscription { systemStateChanged(system: "seen") { events } }';
    const host = new URL(t.wsUrl).hostname;
    // A page of the web app on another port of this host (npm start: web 3000, API 4000).
    const samePage = `http://${host}:3000`;
    const signedIn = await firstOf(
      t.wsUrl,
      browserLikeSocket(`theme=dark; pasid_api_key=${encodeURIComponent(t.tokens.reader)}`, samePage),
      query,
    );
    expect(signedIn).toEqual({ data: { systemStateChanged: { events: 0 } } });
    // Reads need a key here: no cookie, no socket.
    expect(await firstOf(t.wsUrl, browserLikeSocket(undefined, samePage), query)).toEqual({ closed: 4403 });
    // A revoked key in the cookie is refused like any revoked key.
    const { token } = await t.store.apiKeys.create('gone-reader', 'reader');
    await t.store.apiKeys.revoke('gone-reader');
    expect(await firstOf(t.wsUrl, browserLikeSocket(`pasid_api_key=${token}`, samePage), query)).toEqual({
      closed: 4403,
    });
    // Another site's page cannot ride on the user's cookie.
    const elsewhere = browserLikeSocket(`pasid_api_key=${t.tokens.reader}`, 'https://attacker.example');
    expect(await firstOf(t.wsUrl, elsewhere, query)).toEqual({ closed: 4403 });
  });
});
