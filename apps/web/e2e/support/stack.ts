import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase } from '@pasid/testing';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { createApiKey, type Server, startApi, startWeb, WEB_DIR } from './processes';
import { signIn } from './session';

export const SAMPLES = path.resolve(WEB_DIR, '../../samples');

/**
 * A fresh database, the built API and web app over it, and a headless Chromium page signed in
 * with a writer key named `<label>-e2e`.
 */
export interface Stack {
  api: Server;
  web: Server;
  browser: Browser;
  page: Page;
  gql: (query: string, variables: Record<string, unknown>) => Promise<unknown>;
  /** Imports a history file from `samples/` as `system` (through the API, with the writer key). */
  importSample: (file: string, system: string, policy?: string) => Promise<void>;
  record: (system: string, events: Record<string, unknown>[]) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startStack(label: string): Promise<Stack> {
  const database = await createTestDatabase(label);
  const apiKey = await createApiKey(database.url, `${label}-e2e`);
  const api = await startApi(database.url);
  const web = await startWeb(api.url);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signIn(page, web.url, apiKey);
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
    return body.data;
  };
  return {
    api,
    web,
    browser,
    page,
    gql,
    importSample: async (file, system, policy) => {
      await gql(
        'mutation ($system: String!, $policy: Policy, $history: String!) { importHistory(system: $system, policy: $policy, history: $history) { version } }',
        { system, policy, history: readFileSync(path.join(SAMPLES, file), 'utf8') },
      );
    },
    record: async (system, events) => {
      await gql(
        'mutation ($system: String!, $events: [LifecycleEventInput!]!) { recordEvents(system: $system, events: $events) { version } }',
        { system, events },
      );
    },
    stop: async () => {
      await browser.close();
      await web.stop();
      await api.stop();
      await database.drop();
    },
  };
}
