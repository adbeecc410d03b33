import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';

export type { Logger };

/** One JSON object a line on stdout (pino), for a log collector to parse. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'pasid-api' }, timestamp: pino.stdTimeFunctions.isoTime });
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Logs every HTTP request once it ends (method, url, status, time) with a request id: the
 * caller's `x-request-id` when it is a sane token (a gateway's), else a new UUID; sent back in
 * `x-request-id` and available to handlers as `req.log`/`req.id`.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      return 'info';
    },
    customProps(req) {
      const body = (req as IncomingMessage & { body?: { operationName?: unknown } }).body;
      return typeof body?.operationName === 'string' ? { operation: body.operationName } : {};
    },
    serializers: {
      // Never log the key.
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}
