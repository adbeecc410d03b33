import { createHash } from 'node:crypto';

/** The `prev_hash` of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an event's hash covers: everything but the position and the database clock. */
export interface HashedFields {
  system: string;
  version: number;
  index: number;
  type: string;
  data: unknown;
  id: string;
  causationId: string | null;
  correlationId: string;
  actor: string;
  observedAt: Date | null;
  prevHash: string;
}

/** JSON with object keys sorted at every level: the same bytes whatever order jsonb returns. */
export function canonicalJson(value: unknown): string {
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
export function eventHash(fields: HashedFields): string {
  const encoded = canonicalJson([
    fields.system,
    fields.version,
    fields.index,
    fields.type,
    fields.data,
    fields.id,
    fields.causationId,
    fields.correlationId,
    fields.actor,
    fields.observedAt === null ? null : fields.observedAt.toISOString(),
    fields.prevHash,
  ]);
  return createHash('sha256').update(encoded).digest('hex');
}
