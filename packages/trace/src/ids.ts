import { v5 as uuidv5 } from 'uuid';
import type { Fact, TraceKind } from './fact.js';

/** The namespace of traced events' ids (a fixed random UUID of this project). */
export const TRACE_ID_NAMESPACE = '5f0c1b52-9a43-4e0e-8b1d-2f6f1c0a7d31';

/**
 * An event's id: UUIDv5 of (boot id, source kind, CPU, timestamp, line text), so reading the same
 * trace again gives the same ids and a server that has them stores nothing twice.
 */
export function eventId(bootId: string, kind: TraceKind, fact: Fact): string {
  return uuidv5(`${bootId}\n${kind}\n${fact.cpu ?? ''}\n${fact.tsText}\n${fact.text}`, TRACE_ID_NAMESPACE);
}

/** `at`: boot time + the trace's seconds since boot, RFC 3339 (milliseconds). */
export function observedAt(bootTimeMs: number, ts: number): string {
  return new Date(bootTimeMs + ts / 1e6).toISOString();
}
