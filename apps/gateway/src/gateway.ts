import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { GatewayConfig } from './config.js';

/** Paths served by the API replicas; every other path goes to the web app. */
const API_PATHS = ['/graphql', '/health', '/metrics'];

export const UPSTREAM_HEADER = 'x-pasid-upstream';

export const isApiPath = (url: string | undefined): boolean => {
  const path = (url ?? '/').split('?')[0] ?? '/';
  return API_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
};

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * One front address: /graphql (HTTP and the graphql-ws upgrade), /health and /metrics to the API
 * replicas in turn (round robin; the replicas are stateless, the database is shared), the rest
 * to the web app. Each API answer names the replica that served it in `x-pasid-upstream` (its
 * index), so the spread can be seen and tested.
 */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const proxy = createProxyServer({ xfwd: true });
  let turn = 0;
  const nextApi = () => {
    const index = turn++ % config.apiUpstreams.length;
    return { index, target: config.apiUpstreams[index]! };
  };

  proxy.on('error', (error, _req, target) => {
    console.error(JSON.stringify({ level: 'error', msg: 'gateway: upstream failed', error: error.message }));
    if (target && 'writeHead' in target) {
      const res = target as ServerResponse;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ message: 'upstream unavailable', extensions: { code: 'BAD_GATEWAY' } }],
        }),
      );
    } else if (target) {
      (target as Socket).destroy();
    }
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (isApiPath(req.url)) {
      const { index, target } = nextApi();
      res.setHeader(UPSTREAM_HEADER, String(index));
      proxy.web(req, res, { target });
    } else {
      proxy.web(req, res, { target: config.webUpstream });
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // WebSockets: subscriptions on /graphql; Next.js needs none in production.
    const target = isApiPath(req.url) ? nextApi().target : config.webUpstream;
    proxy.ws(req, socket, head, { target });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        proxy.close();
      }),
  };
}
