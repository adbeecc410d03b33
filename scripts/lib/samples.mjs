import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * Loads the sample histories through the running API, only when the database holds no system
 * yet: a first start. Each file is streamed to `POST /systems/{name}/history` (with a writer key)
 * as it is read, never held whole, and its progress printed. Going through the API keeps the
 * embedded database opened by one process only.
 */

async function graphql(apiUrl, key, query, variables = {}) {
  const response = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

/** The system a history file names in its header (read from its first 64 KiB), else its file name. */
async function systemOf(file) {
  const handle = await open(file);
  const { buffer, bytesRead } = await handle
    .read(Buffer.alloc(1 << 16), 0, 1 << 16, 0)
    .finally(() => handle.close());
  // The domain's header reader, the one the import itself follows (built before samples load).
  const { readHistoryHeader } = await import('@pasid/domain');
  const system = readHistoryHeader(buffer.subarray(0, bytesRead).toString('utf8'))?.system;
  return typeof system === 'string' ? system : path.basename(file, '.jsonl');
}

/**
 * Streams one file to the API, calling `onBytes` with the bytes sent so far; the API's answer.
 * What the API has read is what was sent (the body is pulled as the import goes), so the bytes
 * are the import's progress.
 */
async function postHistory(historyUrl, key, file, onBytes) {
  let sent = 0;
  const counted = Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 16 })).pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        sent += chunk.byteLength;
        onBytes(sent);
        controller.enqueue(chunk);
      },
    }),
  );
  const response = await fetch(historyUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
    body: counted,
    duplex: 'half',
  });
  const body = await response.json();
  if (response.status !== 201)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`);
  return body;
}

/** Imports every samples/*.jsonl when the database is empty; returns the systems created. */
export async function loadSamplesIfEmpty({ apiUrl, key, samplesDir, log }) {
  const { systems } = await graphql(apiUrl, key, '{ systems { name } }');
  if (systems.length > 0) return [];
  const files = (await readdir(samplesDir)).filter((f) => f.endsWith('.jsonl')).sort();
  const created = [];
  for (const file of files) {
    const full = path.join(samplesDir, file);
    const system = await systemOf(full);
    const size = (await stat(full)).size;
    const started = Date.now();
    let shown = 0;
    const url = new URL(`/systems/${encodeURIComponent(system)}/history`, apiUrl).toString();
    const result = await postHistory(url, key, full, (sent) => {
      // A line per second for the big ones: the import is alive and how far it got.
      if (Date.now() - shown < 1000 || sent >= size) return;
      shown = Date.now();
      log(
        `  ${file}: ${Math.floor((100 * sent) / size)}% (${(sent / 1e6).toFixed(1)} of ${(size / 1e6).toFixed(1)} MB)`,
      );
    });
    log(`  ${file} -> ${system} (${result.version} events, ${Date.now() - started} ms)`);
    created.push(system);
  }
  return created;
}
