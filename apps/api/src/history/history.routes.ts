import type { IncomingMessage } from 'node:http';
import { historyTooLarge, POLICIES, type Policy } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError } from 'graphql';
import { authenticate } from '../auth/authenticate.js';
import { roleAllows } from '../auth/roles.js';
import type { ApiConfig } from '../config.js';
import { apiError, toApiError } from '../errors.js';
import type { Logger } from '../ops/logger.js';

/** The media type of history files (JSON Lines). */
const JSON_LINES = 'application/x-ndjson; charset=utf-8';

/** Thrown by `limited` when a body passes the limit: the import stops and stores nothing. */
class TooLarge extends Error {}

/**
 * The request body as it arrives, counted: past `limit` bytes it throws, so the import reading
 * it fails (and rolls back) without the rest ever being read or held.
 */
async function* limited(req: IncomingMessage, limit: number): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  // Not destroyed when the import stops early: the answer still has to go out on this connection.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    if (bytes > limit) throw new TooLarge();
    yield chunk;
  }
}

/** An error as the GraphQL endpoint shapes it (`errors[0].extensions.code`), with its HTTP status. */
function sendError(res: Response, error: unknown, logger: Logger): void {
  const mapped = toApiError(error);
  if (!(mapped instanceof GraphQLError)) {
    logger.error({ err: error }, 'history request failed');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
    return;
  }
  const { http, ...extensions } = mapped.extensions as { http?: { status?: number }; code?: string };
  const status =
    http?.status ??
    ({ BAD_USER_INPUT: 400, NOT_FOUND: 404, ALREADY_EXISTS: 409, CONFLICT: 409 } as Record<string, number>)[
      String(extensions.code)
    ] ??
    400;
  res.status(status).json({ errors: [{ message: mapped.message, extensions }] });
}

/**
 * History files over plain HTTP, streamed both ways, beside GraphQL (whose bodies are JSON and
 * bounded by API_BODY_LIMIT):
 *
 * - `POST /systems/{name}/history[?policy=P]`: the body is a history file (JSON Lines), read as
 *   it arrives and imported into a new system `name` in one transaction (all or nothing; a bad
 *   line is refused with its number). Needs a writer key, like `importHistory`. A body over
 *   PASID_HISTORY_LIMIT is refused with 413 and nothing is stored. Answers 201 with
 *   `{system, version, lastPosition, events}`.
 * - `GET /systems/{name}/history`: the system's history file, written as it is read from the log
 *   (with backpressure). Needs a key when READS_REQUIRE_KEY is set, like every read.
 */
export function historyRoutes(store: EventStore, config: ApiConfig, logger: Logger): Router {
  const router = express.Router();
  const limit = config.historyLimit;

  router.post('/systems/:name/history', async (req: Request<{ name: string }>, res) => {
    // Whatever happens, the rest of a refused body is read and dropped: a client still sending
    // gets the answer instead of a reset connection.
    const drain = () => {
      if (!req.readableEnded) req.resume();
    };
    try {
      const caller = await authenticate(store.apiKeys, req.headers.authorization, false);
      if (!caller.key) {
        throw apiError(
          'UNAUTHENTICATED',
          'importing needs an API key with role writer: send "Authorization: Bearer <key>"',
        );
      }
      if (!roleAllows(caller.key.role, 'writer')) {
        throw apiError(
          'FORBIDDEN',
          `importing needs role writer; the key "${caller.key.name}" has role ${caller.key.role}`,
        );
      }
      const policy =
        typeof req.query.policy === 'string' && req.query.policy !== '' ? req.query.policy : undefined;
      if (policy !== undefined && !(POLICIES as readonly string[]).includes(policy)) {
        throw apiError('BAD_USER_INPUT', `policy must be one of ${POLICIES.join(', ')}`, { field: 'policy' });
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) throw new TooLarge();
      const result = await store.importHistory(limited(req, limit), {
        system: req.params.name,
        actor: caller.key.name,
        headerMustMatch: true,
        // The body arrives at the client's pace: other writers wait only for the final insert.
        bulk: 'staged',
        ...(policy ? { policy: policy as Policy } : {}),
      });
      const info = await store.getSystem(result.system);
      // Positions as the GraphQL API writes them: decimal strings (exact past 2^53).
      res.status(201).json({
        system: result.system,
        version: result.version,
        lastPosition: String(result.lastPosition),
        events: info?.eventCount ?? 0,
      });
    } catch (error) {
      drain();
      res.set('connection', 'close');
      if (error instanceof TooLarge) {
        res.status(413).json({
          errors: [{ message: historyTooLarge(limit), extensions: { code: 'PAYLOAD_TOO_LARGE', limit } }],
        });
        return;
      }
      sendError(res, error, logger);
    }
  });

  router.get('/systems/:name/history', async (req: Request<{ name: string }>, res) => {
    try {
      await authenticate(store.apiKeys, req.headers.authorization, config.readsRequireKey);
      const name = req.params.name;
      if (!(await store.getSystem(name)))
        throw apiError('NOT_FOUND', `system ${JSON.stringify(name)} not found`);
      const lines = store.exportHistory(name)[Symbol.asyncIterator]();
      // The first line before the headers: a failure there still gets a coded answer.
      const first = await lines.next();
      res.status(200).set({
        'content-type': JSON_LINES,
        'content-disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.jsonl"`,
      });
      if (!first.done) res.write(first.value);
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
        if (res.destroyed) {
          await lines.return?.();
          return;
        }
      }
      res.end();
    } catch (error) {
      if (res.headersSent) {
        // Mid-stream: the client sees a cut body (no final newline), never a silent short file.
        logger.error({ err: error }, 'export failed while streaming');
        res.destroy();
        return;
      }
      sendError(res, error, logger);
    }
  });
  return router;
}
