import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { authenticate } from '../auth/authenticate.js';
import type { Caller } from '../auth/roles.js';
import { cookieAuthorization } from '../auth/sign-in-cookie.js';
import { nameArgument } from '../common/scalars.js';
import { type ApiDeps, createContext } from '../context.js';
import { formatError } from '../errors.js';
import type { ApiMetrics } from '../ops/metrics.js';
import { bytesOf, complexityError, depthRule } from './protection.js';
import { createSharedSubscribe } from './shared-subscribe.js';

type Extra = Record<PropertyKey, unknown> & { caller?: Caller; header?: string };

/** The close code of a socket whose key is refused, at connection_init or later (revoked). */
export const KEY_REFUSED_CLOSE_CODE = 4403;

/**
 * graphql-ws on the HTTP server's `/graphql`: the key comes in `connectionParams.authorization`
 * (browsers cannot set headers on a WebSocket), the upgrade request's Authorization header, or
 * the web app's sign-in cookie on an upgrade from a page of the same host; the
 * same depth, cost and size limits as over HTTP; errors masked as over HTTP.
 */
export function attachSubscriptions(
  wsServer: WebSocketServer,
  schema: GraphQLSchema,
  deps: ApiDeps,
  metrics: ApiMetrics,
) {
  const { store, config } = deps;
  const maxPayload = bytesOf(config.bodyLimit);
  const rules = [
    ...specifiedRules,
    depthRule(config.maxDepth),
    // Over graphql-ws as over HTTP (where Apollo applies `introspection`).
    ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  // Apollo codes request errors over HTTP; over graphql-ws they are coded here, the same way.
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((e) => {
      const coded = e.originalError === undefined ? withCode(e, 'BAD_USER_INPUT') : e;
      return formatError(coded.toJSON(), coded);
    });

  const shared = createSharedSubscribe();

  // Keys are checked again on every operation and, for open sockets, every keyRecheckMs, so a
  // revoked key stops writing at once and stops reading (its subscriptions end) within that bound.
  const keyed = new Map<WebSocket, string>();
  const stillValid = async (header: string): Promise<boolean> => {
    try {
      await authenticate(store.apiKeys, header, config.readsRequireKey);
      return true;
    } catch (error) {
      // Only a refusal closes the socket; an unreachable database is not a revocation.
      return (error as GraphQLError).extensions?.code !== 'UNAUTHENTICATED';
    }
  };
  const refuse = (socket: WebSocket) => {
    keyed.delete(socket);
    socket.close(KEY_REFUSED_CLOSE_CODE, 'Forbidden: the API key is unknown or has been revoked');
  };
  const recheck = setInterval(() => {
    for (const [socket, header] of keyed) {
      void stillValid(header).then((valid) => {
        if (!valid) refuse(socket);
      });
    }
  }, config.keyRecheckMs);
  recheck.unref();

  // biome-ignore lint/correctness/useHookAtTopLevel: graphql-ws's useServer, not a React hook (react is here for the explorer's assets).
  const handle = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      subscribe: async (args) => {
        const result = await shared.subscribe(args);
        return Symbol.asyncIterator in result ? metrics.countSubscription(result) : result;
      },
      onConnect: async (ctx) => {
        const header =
          stringParam(ctx.connectionParams, 'authorization') ??
          stringParam(ctx.connectionParams, 'Authorization') ??
          ctx.extra.request.headers.authorization ??
          // The web app's signed-in user: the browser sends the httpOnly cookie with the upgrade.
          cookieAuthorization(ctx.extra.request);
        try {
          (ctx.extra as Extra).caller = await authenticate(store.apiKeys, header, config.readsRequireKey);
          if (header !== undefined && (ctx.extra as Extra).caller?.key) {
            const socket = ctx.extra.socket as unknown as WebSocket;
            keyed.set(socket, header);
            socket.once('close', () => keyed.delete(socket));
          }
          return true;
        } catch {
          return false; // Closes with 4403 Forbidden.
        }
      },
      onSubscribe: async (ctx: Context<Record<string, unknown> | undefined, Extra>, _id, payload) => {
        const socket = ctx.extra.socket as unknown as WebSocket;
        const header = keyed.get(socket);
        if (header !== undefined && !(await stillValid(header))) {
          refuse(socket);
          return [
            new GraphQLError('the API key is unknown or has been revoked', {
              extensions: { code: 'UNAUTHENTICATED' },
            }),
          ];
        }
        if (payload.query.length > maxPayload) {
          return [
            new GraphQLError('the operation is larger than the limit', {
              extensions: { code: 'PAYLOAD_TOO_LARGE' },
            }),
          ];
        }
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0)
          return invalid.map((e) => withCode(nameArgument(e, document), 'GRAPHQL_VALIDATION_FAILED'));
        const tooComplex = complexityError(
          schema,
          document,
          payload.operationName,
          payload.variables,
          config.maxComplexity,
        );
        if (tooComplex) return [tooComplex];
        shared.share(
          document,
          JSON.stringify([payload.query, payload.variables ?? null, payload.operationName ?? null]),
        );
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: createContext(deps, ctx.extra.caller ?? { key: null }),
        };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: format(result.errors) } : undefined,
    },
    wsServer,
  );
  return {
    close: () => {
      clearInterval(recheck);
      return handle.dispose();
    },
  };
}

/** The error with `extensions.code` set, unless it has one. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: { ...error.extensions, code },
  });
}

function stringParam(params: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = params?.[key];
  return typeof value === 'string' ? value : undefined;
}
