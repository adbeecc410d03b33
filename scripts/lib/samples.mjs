import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Loads the sample histories through the running API (importHistory, with a writer key), only
 * when the database holds no system yet: a first start. Going through the API keeps the embedded
 * database opened by one process only.
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

/** The system a history file names in its header, else its file name. */
async function systemOf(file, text) {
  // The domain's header reader, the one the import itself follows (built before samples load).
  const { readHistoryHeader } = await import('@pasid/domain');
  const system = readHistoryHeader(text)?.system;
  return typeof system === 'string' ? system : path.basename(file, '.jsonl');
}

/** Imports every samples/*.jsonl when the database is empty; returns the systems created. */
export async function loadSamplesIfEmpty({ apiUrl, key, samplesDir, log }) {
  const { systems } = await graphql(apiUrl, key, '{ systems { name } }');
  if (systems.length > 0) return [];
  const files = (await readdir(samplesDir)).filter((f) => f.endsWith('.jsonl')).sort();
  const created = [];
  for (const file of files) {
    const history = await readFile(path.join(samplesDir, file), 'utf8');
    const system = await systemOf(file, history);
    const started = Date.now();
    const data = await graphql(
      apiUrl,
      key,
      'mutation LoadSample($system: String!, $history: String!) { importHistory(system: $system, history: $history) { version } }',
      { system, history },
    );
    log(`  ${file} -> ${system} (${data.importHistory.version} events, ${Date.now() - started} ms)`);
    created.push(system);
  }
  return created;
}
