import { createHash, hash } from 'node:crypto';

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

/** Object keys as JSON strings, made once: the domain's events reuse a few dozen names. */
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * JSON with object keys sorted at every level: the same bytes whatever order jsonb returns.
 * (Hashing is most of an append's CPU: primitives skip the recursion, keys are quoted once.)
 */
export function canonicalJson(value: unknown): string {
  // A bigint (a log position) as the JSON integer it is, every digit kept.
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // As JSON.stringify's undefined joins: nothing between the commas.
      out += canonicalJson(value[i]) ?? '';
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${quotedKey(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/**
 * Hex SHA-256 of the canonical encoding: a JSON array of the fields in a fixed order, so an
 * auditor can recompute it in any language (see the README).
 */
export function eventHash(fields: HashedFields, format: HashFormat = HASH_FORMAT): string {
  if (format === 2) return eventHashOfJson(fields, canonicalJson(fields.data));
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

/**
 * The format-2 hash of `fields` whose data's canonical JSON is `dataJson` (the append computes
 * it once and sends the same text to the database): the same bytes as `canonicalJson` of the
 * field array, put together without walking the data again.
 */
export function eventHashOfJson(fields: HashedFields, dataJson: string): string {
  const observedAt = fields.observedAt === null ? 'null' : `"${fields.observedAt.toISOString()}"`;
  // An ISO date needs no escaping; every other string goes through JSON.stringify.
  const encoded = `[2,${JSON.stringify(fields.system)},${fields.version},${fields.index},${JSON.stringify(fields.kind)},${JSON.stringify(
    fields.type,
  )},${dataJson},${JSON.stringify(fields.id)},${fields.causationId === null ? 'null' : JSON.stringify(fields.causationId)},${JSON.stringify(
    fields.correlationId,
  )},${JSON.stringify(fields.actor)},${JSON.stringify(fields.recordedAt)},${observedAt},${JSON.stringify(fields.prevHash)}]`;
  // One-shot hashing: a third of createHash's cost per call for strings this short.
  return hash('sha256', encoded, 'hex');
}
