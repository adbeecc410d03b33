import { hash as oneShotHash } from 'node:crypto';
import type { Fact, TraceKind } from './fact.js';

/** The namespace of traced events' ids (a fixed random UUID of this project). */
export const TRACE_ID_NAMESPACE = '5f0c1b52-9a43-4e0e-8b1d-2f6f1c0a7d31';
const NAMESPACE_BYTES = Buffer.from(TRACE_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * RFC 9562 UUIDv5 (SHA-1 of namespace + name, version and variant bits set). Written here rather
 * than taken from the `uuid` package because that package's v5 (re-parsing and validating the
 * namespace on every call) was a quarter of `pasid trace`'s time; a test checks both agree.
 */
export function uuidV5(name: string): string {
  // The one-shot hash: a Hash object per event cost more than the SHA-1 itself.
  const hash = oneShotHash('sha1', Buffer.concat([NAMESPACE_BYTES, Buffer.from(name, 'utf8')]), 'buffer');
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * An event's id: UUIDv5 of (boot id, source kind, CPU, timestamp, line text), so reading the same
 * trace again gives the same ids and a server that has them stores nothing twice.
 */
export function eventId(bootId: string, kind: TraceKind, fact: Fact): string {
  return uuidV5(`${bootId}\n${kind}\n${fact.cpu ?? ''}\n${fact.tsText}\n${fact.text}`);
}

/** `at`: boot time + the trace's seconds since boot, RFC 3339 (milliseconds). */
export function observedAt(bootTimeMs: number, ts: number): string {
  return new Date(bootTimeMs + ts / 1e6).toISOString();
}
