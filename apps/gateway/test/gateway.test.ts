import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ConfigError, loadConfig } from '../src/config.js';
import { isApiPath, type RunningGateway, startGateway, UPSTREAM_HEADER } from '../src/gateway.js';

/** A stand-in upstream that names itself in every answer and echoes WebSocket messages. */
async function upstream(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name, url: req.url, forwardedFor: req.headers['x-forwarded-for'] ?? null }));
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}:${data}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('gateway', () => {
  let gateway: RunningGateway;
  const servers: Server[] = [];

  beforeAll(async () => {
    const [a, b, web] = await Promise.all([upstream('api-a'), upstream('api-b'), upstream('web')]);
    servers.push(a.server, b.server, web.server);
    gateway = await startGateway(
      loadConfig({
        GATEWAY_PORT: '0',
        GATEWAY_API_UPSTREAMS: `${a.url}, ${b.url}`,
        GATEWAY_WEB_UPSTREAM: web.url,
      }),
    );
  });
  afterAll(async () => {
    await gateway?.close();
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sends /graphql to the API replicas in turn and says which one answered', async () => {
    const answers: { upstream: string | null; name: string; url: string; forwardedFor: string | null }[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${gateway.url}/graphql?i=${i}`, { method: 'POST', body: '{}' });
      const body = (await response.json()) as { name: string; url: string; forwardedFor: string | null };
      answers.push({ upstream: response.headers.get(UPSTREAM_HEADER), ...body });
    }
    expect(answers.map((a) => a.name)).toEqual(['api-a', 'api-b', 'api-a', 'api-b']);
    expect(answers.map((a) => a.upstream)).toEqual(['0', '1', '0', '1']);
    expect(answers[2]?.url).toBe('/graphql?i=2');
    expect(answers[0]?.forwardedFor).toMatch(/127\.0\.0\.1/);
  });

  it('sends pages and assets to the web app', async () => {
    for (const path of ['/', '/systems/worked-example', '/_next/static/x.js', '/graphqlx']) {
      const body = await (await fetch(`${gateway.url}${path}`)).json();
      expect(body).toMatchObject({ name: 'web', url: path });
    }
  });

  it('upgrades /graphql WebSockets to the replicas in turn', async () => {
    const echo = async () => {
      const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`);
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send('ping');
      const data = await new Promise<string>((resolve) =>
        socket.once('message', (raw) => resolve(String(raw))),
      );
      socket.close();
      return data;
    };
    const replies = [await echo(), await echo()];
    expect(replies.sort()).toEqual(['api-a:ping', 'api-b:ping']);
  });

  it('answers 502 in GraphQL shape when a replica is down', async () => {
    const down = await startGateway(
      loadConfig({
        GATEWAY_PORT: '0',
        GATEWAY_API_UPSTREAMS: 'http://127.0.0.1:1',
        GATEWAY_WEB_UPSTREAM: 'http://127.0.0.1:1',
      }),
    );
    try {
      const response = await fetch(`${down.url}/graphql`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(502);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('BAD_GATEWAY');
    } finally {
      await down.close();
    }
  });

  it('routes by path prefix only', () => {
    expect(isApiPath('/graphql')).toBe(true);
    expect(isApiPath('/graphql?query=x')).toBe(true);
    expect(isApiPath('/metrics')).toBe(true);
    expect(isApiPath('/health')).toBe(true);
    expect(isApiPath('/graphqlx')).toBe(false);
    expect(isApiPath('/systems')).toBe(false);
  });

  it('refuses a wrong setting, naming the variable', () => {
    expect(() => loadConfig({ GATEWAY_PORT: '99999' })).toThrow(
      /GATEWAY_PORT="99999": must be a port number/,
    );
    expect(() => loadConfig({ GATEWAY_API_UPSTREAMS: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ GATEWAY_WEB_UPSTREAM: 'nope' })).toThrow(/GATEWAY_WEB_UPSTREAM/);
  });
});
