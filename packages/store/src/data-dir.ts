import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The embedded database's folder cannot be used: names the folder and what it holds. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
  constructor(
    readonly dataDir: string,
    message: string,
  ) {
    super(message);
  }
}

const listed = (entries: string[]) =>
  entries.length <= 5
    ? entries.join(', ')
    : `${entries.slice(0, 5).join(', ')} and ${entries.length - 5} more`;

/**
 * Makes sure `dataDir` can hold the PGlite database before PGlite touches it (PGlite itself dies
 * with a bare emscripten exit on a foreign folder): a missing or empty folder is created and
 * initialised by PGlite; a folder with PGlite's `PG_VERSION` is opened; anything else is refused.
 */
export function prepareDataDir(dataDir: string): void {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new DataDirError(dataDir, `the data folder ${dataDir} is a file, not a folder`);
  }
  mkdirSync(dataDir, { recursive: true });
  const entries = readdirSync(dataDir).sort();
  if (entries.length === 0 || entries.includes('PG_VERSION')) return;
  throw new DataDirError(
    dataDir,
    `the data folder ${dataDir} is not a PGlite database (no PG_VERSION): it holds ${listed(entries)}. ` +
      'Point PASID_DATA_DIR at an empty folder or at an existing database.',
  );
}

/** An error from PGlite while opening `dataDir`, as a DataDirError naming the folder. */
export function openFailure(dataDir: string, error: unknown): DataDirError {
  const reason =
    error instanceof Error ? error.message : String((error as { message?: unknown })?.message ?? error);
  const version = path.join(dataDir, 'PG_VERSION');
  return new DataDirError(
    dataDir,
    `the PGlite database in ${dataDir} could not be opened (${reason})` +
      (existsSync(version) ? '; it may be damaged or from another PGlite version' : ''),
  );
}
