import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiKeyStore } from '@pasid/store';

export const WEB_KEY_NAME = 'web';
export const WEB_KEY_FILE = 'web-api-key';

/**
 * On the embedded database the start command gives the web app a writer key by itself, written to
 * `<data dir>/web-api-key` (mode 600), so a newcomer is never blocked. A key that still works is
 * kept; a missing or revoked one is replaced.
 */
export async function ensureWebKey(
  keys: ApiKeyStore,
  file: string,
): Promise<{ file: string; created: boolean }> {
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (existing && (await keys.authenticate(existing))) return { file, created: false };
  const live = (await keys.list()).some((k) => k.name === WEB_KEY_NAME && k.revokedAt === null);
  if (live) await keys.revoke(WEB_KEY_NAME);
  const { token } = await keys.create(WEB_KEY_NAME, 'writer').catch(() =>
    // A revoked key may keep its name reserved: take a fresh one.
    keys.create(`${WEB_KEY_NAME}-${Date.now()}`, 'writer'),
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { file, created: true };
}
