import type { Position } from './position.js';

/**
 * The shapes of signed checkpoints and of their audit: what the public interface
 * (`event-store.ts`) names and what `checkpoints.ts` and `checkpoint-audit.ts` implement, apart
 * from both so the interface imports no implementation (and nothing imports back into it).
 */

/** A stream's head: what a checkpoint signs for it. */
export interface StreamHead {
  system: string;
  /** The stream's version at the head (its last input's). */
  version: number;
  /** The head event's index in its version (0: the input, 1..: derived). */
  index: number;
  /** Events of the stream up to the head, input and derived. */
  events: number;
  /** Global position of the head event. */
  position: Position;
  hash: string;
}

export const CHECKPOINT_FORMAT = 'pasid-checkpoint/1';

/** What is signed: its canonical JSON is the `statement` column, byte for byte. */
export interface CheckpointStatement {
  format: typeof CHECKPOINT_FORMAT;
  /** 1, 2, ...: one more than the previous checkpoint's. */
  seq: number;
  /** The log's head position: every event at or before it is covered. */
  position: Position;
  /** The database clock when signed, UTC to the microsecond. */
  recordedAt: string;
  /** SHA-256 (hex) of the previous checkpoint's statement; 64 zeros for the first. */
  prev: string;
  /** The signing key's id (see `keyId`). */
  keyId: string;
  /** Every stream with events at or before `position`, by name. */
  heads: StreamHead[];
}

/** A checkpoint as stored and as exported for auditors (one JSON object a line). */
export interface SignedCheckpoint {
  seq: number;
  statement: string;
  /** Ed25519 signature of `statement` (UTF-8), base64. */
  signature: string;
}

export interface SignOptions {
  /** Sign only when the log moved since the last checkpoint (the interval signer); default false. */
  onlyIfMoved?: boolean;
}

/** One thing wrong with the checkpoints or with the log they sign. */
export interface CheckpointFinding {
  /** The checkpoint at fault (or the first whose signed heads the log no longer matches). */
  seq: number | null;
  /** Where in the log: the signed head's position, or the checkpoint's. */
  position: Position | null;
  system: string | null;
  reason: string;
}

export interface CheckpointReport {
  /** The id of the public key checked against. */
  keyId: string;
  /** Checkpoints stored in the log. */
  stored: number;
  /** Checkpoints (stored or kept) signed by the key and compared with the log. */
  compared: number;
  /** The last of those: everything at or before its position is signed. */
  last: { seq: number; position: Position; recordedAt: string } | null;
  /** Events after the last signed position: not covered by any checkpoint yet. */
  unsignedEvents: number;
  findings: CheckpointFinding[];
}
