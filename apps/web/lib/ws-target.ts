/**
 * Where the browser opens the live view's WebSocket. The server knows the API by an address that
 * may mean nothing to a browser elsewhere (`localhost`, a compose service name), so unless an
 * absolute URL is configured the browser derives it from the page's own location.
 * - `url`: PASID_API_WS_URL as given (`wss://ledger.example.org/graphql`);
 * - `same-origin`: PASID_API_WS_URL is a path (`/graphql`): the page's host, behind a front proxy
 *   that routes it to the API;
 * - `api-port` (PASID_API_WS_URL unset): the page's host name with the API's port and path (the
 *   API beside the web app on one machine, as `npm start` runs them).
 * Pure and shared by the server (which builds it) and the browser (which resolves it).
 */
export type WsTarget =
  | { kind: 'url'; url: string }
  | { kind: 'same-origin'; path: string }
  | { kind: 'api-port'; secure: boolean; port: string; path: string };

export function wsTargetFrom(apiUrl: string, configured: string | undefined): WsTarget {
  if (configured?.startsWith('/')) return { kind: 'same-origin', path: configured };
  if (configured) return { kind: 'url', url: configured };
  const api = new URL(apiUrl);
  const secure = api.protocol === 'https:';
  return { kind: 'api-port', secure, port: api.port || (secure ? '443' : '80'), path: api.pathname };
}

export function resolveWsUrl(
  target: WsTarget,
  page: { protocol: string; host: string; hostname: string },
): string {
  switch (target.kind) {
    case 'url':
      return target.url;
    case 'same-origin':
      return `${page.protocol === 'https:' ? 'wss' : 'ws'}://${page.host}${target.path}`;
    case 'api-port':
      return `${target.secure ? 'wss' : 'ws'}://${page.hostname}:${target.port}${target.path}`;
    default: {
      const never: never = target;
      throw new Error(`unknown WebSocket target ${JSON.stringify(never)}`);
    }
  }
}
