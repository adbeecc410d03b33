/**
 * The one size limit of a history file sent over HTTP: the API's `/systems/{name}/history`, the
 * web app's upload and its way to the API all refuse a larger file with the same words. Set with
 * `PASID_HISTORY_LIMIT` (docs/configuration.md); this is its default. A 1,000,000-event history
 * is about 53 MB.
 */
export const DEFAULT_HISTORY_LIMIT = '1gb';

const UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

/** Bytes of a size like `512kb`, `50mb`, `1gb` (or a plain number of bytes); null when it is not one. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNITS[(match[2]?.toLowerCase() ?? 'b') as keyof typeof UNITS];
  return Number(match[1]) * unit;
}

/** A size in the largest unit that divides it (`1 GB`, `5 MB`, `1500 bytes`), for messages. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GB', UNITS.gb],
    ['MB', UNITS.mb],
    ['KB', UNITS.kb],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** What every transport says when a history file is larger than the limit. */
export function historyTooLarge(limit: number): string {
  return `the history is larger than the limit of ${formatSize(limit)} (PASID_HISTORY_LIMIT)`;
}
