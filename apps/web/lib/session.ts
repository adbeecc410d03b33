import { cookies, headers } from 'next/headers';

/**
 * Who uses the web app: the API key a person signed in with, kept in an httpOnly cookie (the
 * browser's scripts never see it), sent by the web server with every GraphQL call it makes for
 * that person, so the audit log names them. The API reads the same cookie on the live view's
 * WebSocket upgrade (apps/api/src/auth/sign-in-cookie.ts: keep the name in step).
 */
export const SIGN_IN_COOKIE = 'pasid_api_key';

/**
 * The key of the person this request is for, or undefined when they are signed out. The one
 * place that chooses the key: every server-side call to the API (lib/ledger) asks here.
 * Outside a request (no cookies to read) there is nobody: undefined.
 */
export async function requestKey(): Promise<string | undefined> {
  try {
    return (await cookies()).get(SIGN_IN_COOKIE)?.value || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps `key` for this browser: httpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Secure when the page was served over https (the Origin of the Server Action's
 * POST, or X-Forwarded-Proto from a TLS-terminating proxy). A session cookie: it ends with the
 * browser session or at sign-out.
 */
export async function keepKey(key: string): Promise<void> {
  const h = await headers();
  const secure =
    (h.get('origin') ?? '').startsWith('https:') || h.get('x-forwarded-proto')?.split(',')[0] === 'https';
  (await cookies()).set(SIGN_IN_COOKIE, key, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

export async function forgetKey(): Promise<void> {
  (await cookies()).delete({ name: SIGN_IN_COOKIE, path: '/' });
}
