/** The browser's side of a history upload (see app/systems/[name]/history/route.ts). */

export interface Upload {
  phase: 'uploading' | 'storing' | 'done' | 'failed';
  loaded: number;
  total: number;
  events?: number;
  error?: string;
  line?: number | null;
}

const PEEK_BYTES = 64 * 1024;

/**
 * Whether a file is a history (its first line that is not blank is a JSON object, as the server
 * decides too), and the system its header names.
 */
export async function peekHistory(file: File): Promise<{ history: boolean; system?: string }> {
  const head = await file.slice(0, PEEK_BYTES).text();
  const first = head.split('\n').find((l) => l.trim() !== '');
  if (!first?.trimStart().startsWith('{')) return { history: false };
  try {
    const value = JSON.parse(first) as Record<string, unknown>;
    if (!('type' in value) && typeof value.system === 'string')
      return { history: true, system: value.system };
  } catch {
    // The API names the line.
  }
  return { history: true };
}

/**
 * Uploads the file with XMLHttpRequest, whose upload events give the progress (fetch has none for
 * request bodies); `onChange` gets each step. Resolves with what was stored or the error.
 */
export function uploadHistory(
  file: File,
  system: string,
  policy: string,
  onChange: (upload: Upload) => void,
): Promise<{ ok: true; system: string } | { ok: false }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const url = `/systems/${encodeURIComponent(system)}/history${policy ? `?policy=${encodeURIComponent(policy)}` : ''}`;
    const fail = (error: string, line: number | null = null) => {
      onChange({ phase: 'failed', loaded: 0, total: file.size, error, line });
      resolve({ ok: false });
    };
    onChange({ phase: 'uploading', loaded: 0, total: file.size });
    xhr.upload.onprogress = (e) => {
      onChange({
        phase: e.loaded >= file.size ? 'storing' : 'uploading',
        loaded: e.loaded,
        total: file.size,
      });
    };
    xhr.upload.onload = () => onChange({ phase: 'storing', loaded: file.size, total: file.size });
    xhr.onerror = () => fail('the upload failed: the web app did not answer');
    xhr.onload = () => {
      let body: { ok?: boolean; system?: string; events?: number; error?: string; line?: number | null } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        return fail(`the web app answered ${xhr.status} without JSON`);
      }
      if (xhr.status === 201 && body.ok && body.system) {
        onChange({ phase: 'done', loaded: file.size, total: file.size, events: body.events ?? 0 });
        resolve({ ok: true, system: body.system });
        return;
      }
      fail(body.error ?? `the web app answered ${xhr.status}`, body.line ?? null);
    };
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', 'application/x-ndjson');
    xhr.send(file);
  });
}
