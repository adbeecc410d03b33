import type { StreamHead } from './checkpoint-types.js';
import { eventHash, GENESIS_HASH, type HashFormat, recordedAtText } from './hash.js';
import { START_POSITION, toPosition } from './position.js';
import { EVENT_COLUMNS, type EventRow } from './rows.js';

export type { StreamHead };

/** The `events` columns a hash is recomputed from: the row, its hash format, `recorded_at` to the µs. */
export const HASHED_COLUMNS = `${EVENT_COLUMNS}, hash_format, ${recordedAtText('recorded_at')} AS recorded_at_text`;

export interface HashedRow extends EventRow {
  hash_format: number;
  recorded_at_text: string;
}

export function isHashFormat(format: number): format is HashFormat {
  return format === 1 || format === 2;
}

/**
 * The hash a row's content gives under its own format, chained to `prevHash` (its stored
 * `prev_hash` unless told otherwise). Throws on a format this code does not know.
 */
export function rowHash(row: HashedRow, prevHash: string = row.prev_hash): string {
  if (!isHashFormat(row.hash_format)) throw new Error(`unknown hash format ${row.hash_format}`);
  return eventHash(
    {
      system: row.system,
      version: row.version,
      index: row.index,
      kind: row.kind as 'input' | 'derived',
      type: row.type,
      data: row.data,
      id: row.id,
      causationId: row.causation_id,
      correlationId: row.correlation_id,
      actor: row.actor,
      recordedAt: row.recorded_at_text,
      observedAt: row.observed_at,
      prevHash,
    },
    row.hash_format,
  );
}

/**
 * Follows one stream's chain strictly: each row must recompute to its hash, link to the previous
 * hash, follow the previous (version, index) and not go back to an older hash format. `step`
 * answers why a row breaks the chain, or null.
 */
export class StrictChain {
  format = 1;
  constructor(public head: StreamHead) {}

  static genesis(system: string): StrictChain {
    return new StrictChain({
      system,
      version: 0,
      index: 0,
      events: 0,
      position: START_POSITION,
      hash: GENESIS_HASH,
    });
  }

  step(row: HashedRow): string | null {
    const position = toPosition(row.position);
    if (!isHashFormat(row.hash_format)) return `changed: unknown hash format ${row.hash_format}`;
    if (row.hash_format < this.format)
      return `changed: hash format ${row.hash_format} after format ${this.format} rows (downgraded)`;
    if (rowHash(row) !== row.hash) return `changed: the event's content does not match its hash`;
    const inSequence =
      row.index === 0
        ? row.version === this.head.version + 1
        : this.head.events > 0 && row.version === this.head.version && row.index === this.head.index + 1;
    if (!inSequence)
      return `removed: version ${row.version} index ${row.index} does not follow version ${this.head.version} index ${this.head.index}`;
    if (row.prev_hash !== this.head.hash)
      return `removed or reordered: prev_hash does not match the hash of the stream's previous event`;
    this.format = row.hash_format;
    this.head = {
      system: this.head.system,
      version: row.version,
      index: row.index,
      events: this.head.events + 1,
      position,
      hash: row.hash,
    };
    return null;
  }
}
