import { createHash } from 'node:crypto';

/** The `prev_hash` of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Which rule an event's hash follows (the row's `hash_format`):
 * 1. rows written before the `checkpoints` migration: the fields below except `kind` and
 *    `recordedAt`;
 * 2. every row since: also `kind` and `recordedAt` (the database clock, to the microsecond), with
 *    the format number itself first, so a row cannot be passed off under the older rule.
 */
export type HashFormat = 1 | 2;

/** The format new rows are written in (the column's default since the `checkpoints` migration). */
export const HASH_FORMAT: HashFormat = 2;

/** The fields an event's hash covers: everything but the position. */
export interface HashedFields {
  system: string;
  version: number;
  index: number;
  /** Hashed from format 2 on. */
  kind: 'input' | 'derived';
  type: string;
  data: unknown;
  id: string;
  causationId: string | null;
  correlationId: string;
  actor: string;
  /** Hashed from format 2 on: `recorded_at` in UTC to the microsecond, `...T...:SS.ffffffZ`. */
  recordedAt: string;
  observedAt: Date | null;
  prevHash: string;
}

/** SQL giving a timestamptz as `HashedFields.recordedAt` spells it. */
export const recordedAtText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** JSON with object keys sorted at every level: the same bytes whatever order jsonb returns. */
export function canonicalJson(value: unknown): string {
  // A bigint (a log position) as the JSON integer it is, every digit kept.
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/**
 * Hex SHA-256 of the canonical encoding: a JSON array of the fields in a fixed order, so an
 * auditor can recompute it in any language (see the README).
 */
export function eventHash(fields: HashedFields, format: HashFormat = HASH_FORMAT): string {
  const observedAt = fields.observedAt === null ? null : fields.observedAt.toISOString();
  const encoded =
    format === 1
      ? canonicalJson([
          fields.system,
          fields.version,
          fields.index,
          fields.type,
          fields.data,
          fields.id,
          fields.causationId,
          fields.correlationId,
          fields.actor,
          observedAt,
          fields.prevHash,
        ])
      : canonicalJson([
          2,
          fields.system,
          fields.version,
          fields.index,
          fields.kind,
          fields.type,
          fields.data,
          fields.id,
          fields.causationId,
          fields.correlationId,
          fields.actor,
          fields.recordedAt,
          observedAt,
          fields.prevHash,
        ]);
  return createHash('sha256').update(encoded).digest('hex');
}
