import { hash as oneShotHash } from 'node:crypto';
import type { Fact, TraceKind } from './fact.js';

/** The namespace of traced events' ids (a fixed random UUID of this project). */
export const TRACE_ID_NAMESPACE = '5f0c1b52-9a43-4e0e-8b1d-2f6f1c0a7d31';
const NAMESPACE_BYTES = Buffer.from(TRACE_ID_NAMESPACE.replaceAll('-', ''), 'hex');
/** Namespace + name, reused: the name is written after the namespace's 16 bytes. */
let scratch = Buffer.alloc(4096);
NAMESPACE_BYTES.copy(scratch, 0);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * RFC 9562 UUIDv5 (SHA-1 of namespace + name, version and variant bits set). Written here rather
 * than taken from the `uuid` package because that package's v5 (re-parsing and validating the
 * namespace on every call) was a quarter of `pasid trace`'s time; a test checks both agree.
 * One SHA-1 per event is most of what is left: the name is written into one reused buffer (no
 * concatenation), and the digest is formatted from a table (no hex string sliced).
 */
export function uuidV5(name: string): string {
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  if (16 + name.length * 3 > scratch.length) {
    scratch = Buffer.alloc(16 + name.length * 3);
    NAMESPACE_BYTES.copy(scratch, 0);
  }
  const length = 16 + scratch.write(name, 16, 'utf8');
  // The one-shot hash: a Hash object per event cost more than the SHA-1 itself.
  const h = oneShotHash('sha1', scratch.subarray(0, length), 'buffer');
  const at = (i: number) => HEX[h[i] as number] as string;
  const version = HEX[((h[6] as number) & 0x0f) | 0x50] as string;
  const variant = HEX[((h[8] as number) & 0x3f) | 0x80] as string;
  return `${at(0)}${at(1)}${at(2)}${at(3)}-${at(4)}${at(5)}-${version}${at(7)}-${variant}${at(9)}-${at(10)}${at(11)}${at(12)}${at(13)}${at(14)}${at(15)}`;
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
