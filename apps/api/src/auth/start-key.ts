import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiKeyStore } from '@pasid/store';

/** The start key's file in the data folder, unless API_START_KEY_FILE names another. */
export const START_KEY_FILE = 'sign-in-key';
/** The start key's name, unless API_START_KEY_NAME gives one (`npm start` gives the OS user's). */
export const START_KEY_NAME = 'local';

/**
 * The first user's writer key on a machine of one's own: the start command prints it so that a
 * newcomer signs in to the web app and imports at once, and the audit log names that person (not
 * a shared "web" key). Written to `file` (mode 600). A key in the file that still works is kept;
 * a missing or revoked one is replaced (a live key of that name whose token was lost is revoked:
 * nobody can use it any more).
 */
export async function ensureStartKey(
  keys: ApiKeyStore,
  file: string,
  name: string = START_KEY_NAME,
): Promise<{ file: string; name: string; token: string; created: boolean }> {
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  const kept = existing ? await keys.authenticate(existing) : null;
  if (kept) return { file, name: kept.name, token: existing, created: false };
  const live = (await keys.list()).some((k) => k.name === name && k.revokedAt === null);
  if (live) await keys.revoke(name);
  const created = await keys.create(name, 'writer').catch(() =>
    // A revoked key keeps its name reserved: take a fresh one.
    keys.create(`${name}-${Date.now()}`, 'writer'),
  );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${created.token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { file, name: created.key.name, token: created.token, created: true };
}
