import type { IncomingMessage } from 'node:http';

/**
 * The cookie the web app keeps a signed-in user's API key in (httpOnly, SameSite=Strict; the web
 * app's lib/session.ts sets it under this name). The browser cannot read it, so the live view's
 * WebSocket cannot put the key in `connectionParams`; the browser sends the cookie with the
 * upgrade instead, when the socket goes to the page's own host (any port: `npm start`'s API on
 * 4000 beside the web app on 3000, or the front proxy's `/graphql`).
 */
export const SIGN_IN_COOKIE = 'pasid_api_key';

/**
 * The key in the upgrade request's sign-in cookie, as an Authorization value, or undefined.
 * Taken only when the page that opens the socket is on the host the socket goes to (the Origin's
 * host name is the Host's): another site's page cannot open a socket with the user's cookie
 * (SameSite=Strict keeps it from sending one; this check holds even for a browser that ignores it).
 */
export function cookieAuthorization(request: IncomingMessage): string | undefined {
  const token = cookieValue(request.headers.cookie, SIGN_IN_COOKIE);
  if (token === undefined) return undefined;
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin === undefined || host === undefined) return undefined;
  let originHost: string;
  let requestHost: string;
  try {
    originHost = new URL(origin).hostname;
    requestHost = new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
  return originHost === requestHost ? `Bearer ${token}` : undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
