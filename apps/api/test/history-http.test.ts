import { Readable } from 'node:stream';
import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type Policy,
} from '@pasid/domain';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';

const POLICY: Policy = 'LAZY_REFCOUNT';
/** Larger than the API's old 5 MB limit of a GraphQL body, which refused a 100,000-event history. */
const OLD_LIMIT = 5 * 1024 * 1024;

/** A valid history of `count` events as the export writes it (header, then one input a line). */
function historyText(system: string, count: number, seed: number): string {
  const lines = [formatHistoryHeader({ system, policy: POLICY, maxPasid: DEFAULT_MAX_PASID })];
  for (const event of generateHistory({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID, seed })) {
    lines.push(formatHistoryEvent(event));
    if (lines.length > count) break;
  }
  return `${lines.join('\n')}\n`;
}

/** The text as a request body sent in 64 KiB chunks, with no Content-Length (chunked). */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  return Readable.toWeb(
    Readable.from(
      (function* () {
        for (let at = 0; at < bytes.length; at += 1 << 16) yield bytes.subarray(at, at + (1 << 16));
      })(),
    ),
  ) as ReadableStream<Uint8Array>;
}

describe.skipIf(!(await postgresAvailable('the history HTTP tests')))(
  'history files over HTTP (/systems/{name}/history), streamed',
  () => {
    let t: TestApi;
    let base: string;
    const post = (name: string, body: string | ReadableStream<Uint8Array>, key?: string) =>
      fetch(`${base}/systems/${encodeURIComponent(name)}/history`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-ndjson',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body,
        duplex: 'half',
      } as RequestInit);
    type Answer = {
      system?: string;
      version?: number;
      events?: number;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    };

    beforeAll(async () => {
      t = await startTestApi({ PASID_HISTORY_LIMIT: '6mb', READS_REQUIRE_KEY: 'true' });
      base = t.url.replace(/\/graphql$/, '');
    });
    afterAll(() => t?.close());

    it('imports a history larger than the old 5 MB limit and exports it back identical', async () => {
      const text = historyText('big-node', 110_000, 11);
      expect(Buffer.byteLength(text)).toBeGreaterThan(OLD_LIMIT);
      const answer = await post('big-node', streamed(text), t.tokens.writer);
      const body = (await answer.json()) as Answer;
      expect(answer.status, JSON.stringify(body)).toBe(201);
      expect(body.version).toBe(110_000);
      expect(await t.store.verify()).toMatchObject({ ok: true });

      const exported = await fetch(`${base}/systems/big-node/history`, {
        headers: { authorization: `Bearer ${t.tokens.reader}` },
      });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      // Streamed: chunked, no Content-Length computed from a buffered whole.
      expect(exported.headers.get('content-length')).toBeNull();
      expect(await exported.text()).toBe(text);
    }, 240_000);

    it('refuses a history over PASID_HISTORY_LIMIT with 413 and stores nothing', async () => {
      const head = await t.store.headPosition();
      const text = historyText('too-big', 130_000, 12);
      expect(Buffer.byteLength(text)).toBeGreaterThan(6 * 1024 * 1024);
      const answer = await post('too-big', streamed(text), t.tokens.writer);
      const body = (await answer.json()) as Answer;
      expect(answer.status).toBe(413);
      expect(body.errors?.[0]?.message).toBe(
        'the history is larger than the limit of 6 MB (PASID_HISTORY_LIMIT)',
      );
      expect(body.errors?.[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await t.store.getSystem('too-big')).toBeNull();
      expect(await t.store.headPosition()).toBe(head);
    }, 240_000);

    it('refuses a bad line by its number, after thousands of good ones, and stores nothing', async () => {
      const head = await t.store.headPosition();
      const lines = historyText('bad-line', 30_000, 13).split('\n');
      lines[25_000] = '{"type": "ProcessCreated", "pid": "not a number"}';
      const answer = await post('bad-line', streamed(lines.join('\n')), t.tokens.writer);
      const body = (await answer.json()) as Answer;
      expect(answer.status).toBe(400);
      expect(body.errors?.[0]?.message).toMatch(/^history line 25001: /);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        line: 25_001,
        field: 'pid',
      });
      expect(await t.store.getSystem('bad-line')).toBeNull();
      expect(await t.store.headPosition()).toBe(head);
    }, 240_000);

    it('asks the same keys as GraphQL: a writer to import, a key to export when reads need one', async () => {
      const small = historyText('keys', 10, 14);
      const anonymous = await post('keys', small);
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as Answer).errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
      const reader = await post('keys', small, t.tokens.reader);
      expect(reader.status).toBe(403);
      expect(((await reader.json()) as Answer).errors?.[0]?.message).toMatch(/needs role writer/);
      expect(await t.store.getSystem('keys')).toBeNull();

      expect((await post('keys', small, t.tokens.writer)).status).toBe(201);
      expect((await fetch(`${base}/systems/keys/history`)).status).toBe(401);
      const missing = await fetch(`${base}/systems/nowhere/history`, {
        headers: { authorization: `Bearer ${t.tokens.reader}` },
      });
      expect(missing.status).toBe(404);
      const again = await post('keys', small, t.tokens.writer);
      expect(again.status).toBe(409);
    });
  },
);
