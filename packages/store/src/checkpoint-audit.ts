import type { KeyObject } from 'node:crypto';
import type { CheckpointFinding, CheckpointReport, StreamHead } from './checkpoint-types.js';
import {
  type CheckpointStatement,
  keyId,
  parseStatement,
  type SignedCheckpoint,
  signatureValid,
  statementHash,
} from './checkpoints.js';
import { comparePositions, type Position, START_POSITION } from './position.js';

export type { CheckpointFinding, CheckpointReport };

interface Valid {
  checkpoint: SignedCheckpoint;
  statement: CheckpointStatement;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;

/**
 * Checks checkpoints against a public key and, as the log is walked in position order, against
 * the chain the walk recomputes: `at(position, heads)` before the walk passes a position,
 * `finish(...)` at the end.
 */
export class CheckpointAudit {
  private readonly findings: CheckpointFinding[] = [];
  private readonly pending: Valid[];
  private readonly id: string;
  /** Streams already reported: one finding each (later checkpoints only repeat it). */
  private readonly reported = new Set<string>();
  /** Per stream, the last checkpoint whose signed head it matched. */
  private readonly matched = new Map<string, { seq: number; position: Position }>();
  private last: CheckpointReport['last'] = null;
  private compared = 0;

  constructor(
    private readonly stored: SignedCheckpoint[],
    publicKey: KeyObject,
    kept: SignedCheckpoint[] = [],
  ) {
    this.id = keyId(publicKey);
    const valid = new Map<number, Valid>();
    let previous: { seq: number; statement: string } | null = null;
    for (const checkpoint of stored) {
      const parsed = parseStatement(checkpoint.statement);
      if (typeof parsed === 'string') {
        this.finding(checkpoint.seq, null, null, `changed: ${parsed}`);
      } else if (!signatureValid(checkpoint, publicKey)) {
        this.finding(
          checkpoint.seq,
          parsed.position,
          null,
          `not signed by this key: the signature does not verify with ${this.id} (the statement names ${parsed.keyId})`,
        );
      } else if (parsed.seq !== checkpoint.seq) {
        this.finding(
          checkpoint.seq,
          parsed.position,
          null,
          `changed: stored as seq ${checkpoint.seq}, signed as seq ${parsed.seq}`,
        );
      } else {
        valid.set(checkpoint.seq, { checkpoint, statement: parsed });
      }
      const expectedSeq = (previous?.seq ?? 0) + 1;
      if (checkpoint.seq > expectedSeq) {
        this.finding(
          expectedSeq,
          null,
          null,
          `removed: checkpoint${checkpoint.seq - expectedSeq > 1 ? `s seq ${expectedSeq}..${checkpoint.seq - 1} are` : ` seq ${expectedSeq} is`} missing from the log`,
        );
      } else if (
        previous &&
        typeof parsed !== 'string' &&
        valid.has(checkpoint.seq) &&
        parsed.prev !== statementHash(previous.statement)
      ) {
        this.finding(
          checkpoint.seq,
          parsed.position,
          null,
          `changed: it does not follow checkpoint seq ${previous.seq} (it signs prev ${short(parsed.prev)}, seq ${previous.seq}'s statement hashes to ${short(statementHash(previous.statement))})`,
        );
      }
      previous = checkpoint;
    }
    const storedBySeq = new Map(stored.map((c) => [c.seq, c]));
    for (const k of kept) {
      const parsed = parseStatement(k.statement);
      if (typeof parsed === 'string' || parsed.seq !== k.seq || !signatureValid(k, publicKey)) {
        this.finding(
          k.seq,
          null,
          null,
          `the kept checkpoint seq ${k.seq} does not verify with ${this.id}: not a checkpoint of this key`,
        );
        continue;
      }
      const inLog = storedBySeq.get(k.seq);
      if (!inLog) {
        this.finding(
          k.seq,
          parsed.position,
          null,
          `removed: checkpoint seq ${k.seq} (kept: position ${parsed.position}, signed ${parsed.recordedAt}) is missing from the log`,
        );
      } else if (inLog.statement !== k.statement || inLog.signature !== k.signature) {
        this.finding(
          k.seq,
          parsed.position,
          null,
          `replaced: the log's checkpoint seq ${k.seq} is not the one kept`,
        );
      }
      if (!inLog || !valid.has(k.seq) || inLog.statement !== k.statement)
        valid.set(k.seq, { checkpoint: k, statement: parsed });
    }
    this.pending = [...valid.values()].sort(
      (a, b) =>
        comparePositions(a.statement.position, b.statement.position) || a.statement.seq - b.statement.seq,
    );
    for (let i = 1; i < this.pending.length; i += 1) {
      const [a, b] = [this.pending[i - 1]!, this.pending[i]!];
      if (b.statement.seq < a.statement.seq)
        this.finding(
          b.statement.seq,
          b.statement.position,
          null,
          `changed: signs position ${b.statement.position}, before seq ${a.statement.seq}'s ${a.statement.position}`,
        );
    }
  }

  private finding(
    seq: number | null,
    position: Position | null,
    system: string | null,
    reason: string,
  ): void {
    this.findings.push({ seq, position, system, reason });
  }

  /**
   * Compares every checkpoint signed at a position before `position` (every one left when null)
   * with the heads so far.
   */
  at(position: Position | null, heads: ReadonlyMap<string, StreamHead>): void {
    while (this.pending.length > 0 && (position === null || this.pending[0]!.statement.position < position)) {
      this.compare(this.pending.shift()!, heads);
    }
  }

  private compare({ statement }: Valid, heads: ReadonlyMap<string, StreamHead>): void {
    this.compared += 1;
    const { seq } = statement;
    const signed = new Set<string>();
    for (const h of statement.heads) {
      signed.add(h.system);
      if (this.reported.has(h.system)) continue;
      const r = heads.get(h.system);
      const since = this.matched.get(h.system);
      const after = since ? `; it matched checkpoint seq ${since.seq} (position ${since.position})` : '';
      let reason: string | null = null;
      if (!r) {
        reason = `removed: checkpoint seq ${seq} signs ${h.events} events up to version ${h.version}, head at position ${h.position}; the log holds none at or before position ${statement.position}`;
      } else if (r.events < h.events || r.version < h.version) {
        reason = `removed: checkpoint seq ${seq} signs ${h.events} events up to version ${h.version}, head at position ${h.position}; the log holds ${r.events} events up to version ${r.version} at or before position ${statement.position}${after}`;
      } else if (r.hash !== h.hash) {
        reason = `rewritten: the log's chain recomputes to ${short(r.hash)} at version ${r.version} index ${r.index} (position ${r.position}); checkpoint seq ${seq} signed ${short(h.hash)} for version ${h.version} index ${h.index} (position ${h.position})${after}`;
      } else if (
        r.events !== h.events ||
        r.version !== h.version ||
        r.index !== h.index ||
        r.position !== h.position
      ) {
        reason = `moved: the head with the signed hash is at version ${r.version} index ${r.index}, position ${r.position}, after ${r.events} events; checkpoint seq ${seq} signed version ${h.version} index ${h.index}, position ${h.position}, after ${h.events} events${after}`;
      }
      if (reason) {
        this.reported.add(h.system);
        this.finding(seq, h.position, h.system, reason);
      } else this.matched.set(h.system, { seq, position: statement.position });
    }
    for (const [system, r] of heads) {
      if (signed.has(system) || this.reported.has(system) || r.events === 0) continue;
      this.reported.add(system);
      this.finding(
        seq,
        r.position,
        system,
        `added: the log holds ${r.events} events of this system at or before position ${statement.position} that checkpoint seq ${seq} does not sign`,
      );
    }
    if (!this.last || seq > this.last.seq)
      this.last = { seq, position: statement.position, recordedAt: statement.recordedAt };
  }

  /** Compares the checkpoints left (at or after the log's end) and gives the report. */
  finish(lastPosition: Position, heads: ReadonlyMap<string, StreamHead>, events: number): CheckpointReport {
    for (const v of this.pending) {
      if (v.statement.position > lastPosition)
        this.finding(
          v.statement.seq,
          v.statement.position,
          null,
          `removed: checkpoint seq ${v.statement.seq} signs the log up to position ${v.statement.position}; the log ends at position ${lastPosition}`,
        );
    }
    this.at(null, heads);
    if (this.compared === 0 && events > 0)
      this.finding(
        null,
        null,
        null,
        `unsigned: no checkpoint signed by ${this.id} covers any of the ${events} events`,
      );
    const signedUpTo = this.last?.position ?? START_POSITION;
    // A count of events (the log is gap-free), so a number.
    const unsigned = lastPosition > signedUpTo ? Number(lastPosition - signedUpTo) : 0;
    this.findings.sort(
      (a, b) =>
        (a.seq ?? 0) - (b.seq ?? 0) ||
        (a.system === null ? 0 : 1) - (b.system === null ? 0 : 1) ||
        comparePositions(a.position ?? START_POSITION, b.position ?? START_POSITION),
    );
    return {
      keyId: this.id,
      stored: this.stored.length,
      compared: this.compared,
      last: this.last,
      unsignedEvents: unsigned,
      findings: this.findings,
    };
  }
}
