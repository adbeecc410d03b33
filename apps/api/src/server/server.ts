import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { EventStore } from '@pasid/store';
import express, { type ErrorRequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { authenticate } from '../auth/authenticate.js';
import type { ApiConfig } from '../config.js';
import { type ApiContext, type ApiDeps, createContext } from '../context.js';
import { formatError } from '../errors.js';
import { explorerRoutes } from '../explorer/explorer.js';
import { historyRoutes } from '../history/history.routes.js';
import { LifetimesCache } from '../lanes/lifetimes-cache.js';
import { createLogger, type Logger, requestLogger } from '../ops/logger.js';
import { ApiMetrics } from '../ops/metrics.js';
import { WorkGate } from '../ops/work-gate.js';
import { buildApiSchema } from '../schema.js';
import { StateCache } from '../state/state-cache.js';
import { HttpDrain } from './drain.js';
import { checkReadiness } from './health.js';
import { bytesOf, complexityPlugin, depthRule } from './protection.js';
import { attachSubscriptions } from './subscriptions.js';

export interface RunningApi {
  /** http://host:port/graphql */
  url: string;
  port: number;
  httpServer: Server;
  schema: GraphQLSchema;
  logger: Logger;
  /**
   * Stops accepting, ends subscriptions (1001), gives requests in flight `graceMs` (default the
   * config's shutdown grace) to finish and answers the rest 503 with Retry-After. Does not close
   * the store.
   */
  close(graceMs?: number): Promise<{ finished: number; refused: number }>;
}

/**
 * One HTTP server: POST /graphql (Apollo), graphql-ws on the same path, POST and GET
 * /systems/{name}/history (history files, streamed), GET /livez and /readyz
 * (and /health, the same as /readyz), GET /metrics. The store is
 * the caller's: the server never opens or closes it.
 */
export async function startApiServer(
  rawStore: EventStore,
  config: ApiConfig,
  options: { logger?: Logger } = {},
): Promise<RunningApi> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const schema = await buildApiSchema();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: bytesOf(config.bodyLimit),
  });
  const metrics = new ApiMetrics({
    logHead: () => rawStore.headPosition(),
    feedPosition: () => rawStore.livePosition(),
  });
  // The resolvers get the store with its writes measured.
  const store = metrics.instrument(rawStore);
  const deps: ApiDeps = {
    store,
    config,
    states: new StateCache(),
    lifetimes: new LifetimesCache(store),
    longWork: new WorkGate(config.longWorkConcurrency, config.longWorkPerKey),
  };
  const subscriptions = attachSubscriptions(wsServer, schema, deps, metrics);

  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    validationRules: [depthRule(config.maxDepth)],
    // The process's signals are main.ts's: Apollo's own handlers re-sent the signal (unless
    // NODE_ENV=test), which cut the clean stop short. The HTTP drain is HttpDrain's.
    stopOnTerminationSignals: false,
    // Apollo's landing page loads Sandbox from a CDN; the offline explorer (GraphiQL) replaces it.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      complexityPlugin<ApiContext>(schema, config.maxComplexity, rawStore),
    ],
  });
  await apollo.start();
  const drain = new HttpDrain(httpServer);

  app.use(drain.track());
  app.use(requestLogger(logger));
  app.use(metrics.requestTimer());
  app.get('/metrics', async (req, res) => {
    if (!(await metricsAllowed(req.headers.authorization, store, config))) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer')
        .json({
          errors: [
            {
              message: 'metrics need an API key or API_METRICS_TOKEN: send "Authorization: Bearer <token>"',
              extensions: { code: 'UNAUTHENTICATED' },
            },
          ],
        });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Liveness: the process answers (a restart would not help otherwise). Nothing else is checked.
  app.get('/livez', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: take traffic only when the database answers, the schema is current, and the
  // process is not shutting down. /health is the same check, kept for existing monitors.
  app.get(['/readyz', '/health'], async (_req, res) => {
    const readiness = await checkReadiness(store, logger, drain.isDraining);
    const { ready, ...body } = readiness;
    res.status(ready ? 200 : 503).json(body);
  });
  app.use(explorerRoutes());
  // History files streamed in and out (JSON Lines), beside GraphQL: see history/history.routes.ts.
  app.use(historyRoutes(store, config, logger));
  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        createContext(
          deps,
          await authenticate(store.apiKeys, req.headers.authorization, config.readsRequireKey),
        ),
    }),
  );
  app.use(bodyErrors(config.bodyLimit, logger));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    httpServer,
    schema,
    logger,
    close: async (graceMs = config.shutdownGraceMs) => {
      const draining = drain.drain(graceMs);
      await subscriptions.close();
      const outcome = await draining;
      await apollo.stop();
      return outcome;
    },
  };
}

/** A body too large or not JSON gets a GraphQL-shaped error, not Express's HTML page. */
function bodyErrors(limit: string, logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json({
        errors: [
          {
            message: `the request body is larger than the limit of ${limit}`,
            extensions: { code: 'PAYLOAD_TOO_LARGE' },
          },
        ],
      });
      return;
    }
    if (type === 'entity.parse.failed') {
      res.status(400).json({
        errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
      });
      return;
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    logger.error({ err: error }, 'unexpected error');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}

/**
 * Who may scrape /metrics: anyone, unless READS_REQUIRE_KEY or API_METRICS_TOKEN is set; then a
 * live API key (any role) or the metrics token, so Prometheus needs no key of the ledger's own.
 */
async function metricsAllowed(header: string | undefined, store: EventStore, config: ApiConfig) {
  if (!config.readsRequireKey && config.metricsToken === undefined) return true;
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (token === undefined) return false;
  if (config.metricsToken !== undefined) {
    const given = createHash('sha256').update(token).digest();
    const expected = createHash('sha256').update(config.metricsToken).digest();
    if (timingSafeEqual(given, expected)) return true;
  }
  return (await store.apiKeys.authenticate(token).catch(() => null)) !== null;
}
