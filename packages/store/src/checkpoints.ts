import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { transactionTime } from './append.js';
import { HASHED_COLUMNS, type HashedRow, StrictChain } from './chain.js';
import {
  CHECKPOINT_FORMAT,
  type CheckpointStatement,
  type SignedCheckpoint,
  type SignOptions,
} from './checkpoint-types.js';
import type { Database, Queryable } from './database.js';
import { StoreError } from './event-store.js';
import { canonicalJson } from './hash.js';
import { type Position, START_POSITION, toPosition } from './position.js';

export { CHECKPOINT_FORMAT, type CheckpointStatement, type SignedCheckpoint, type SignOptions };

/**
 * Signed checkpoints, in the spirit of Certificate Transparency's signed tree heads: at a global
 * position, the operator's Ed25519 key signs the head (version, index, event count, position,
 * hash) of every stream, chained to the previous checkpoint. The key stays outside the database,
 * so someone who can write the database can rewrite the log and recompute every hash, but cannot
 * sign what they wrote: `verify` with the public key finds the first checkpoint the rewritten log
 * no longer matches.
 */

const GENESIS_PREV = '0'.repeat(64);
/** Any constant shared by every process signing into the same database. */
const CHECKPOINT_LOCK_KEY = 7_202_611_25;
const PAGE = 5000;

/** `sha256:` and the hex SHA-256 of the public key's DER (SPKI) encoding. */
export function keyId(publicKey: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')}`;
}

/** An Ed25519 private key from PEM text; a clear error for anything else. */
export function readPrivateKey(pem: string | Buffer): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new StoreError('INVALID', `a checkpoint key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

/** An Ed25519 public key from PEM text (a private key's PEM gives its public key). */
export function readPublicKey(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new StoreError('INVALID', `a checkpoint public key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function statementHash(statement: string): string {
  return createHash('sha256').update(statement).digest('hex');
}

export function signatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      Buffer.from(checkpoint.statement),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The statement's fields, or why it is not a checkpoint statement. */
export function parseStatement(text: string): CheckpointStatement | string {
  let value: unknown;
  try {
    value = JSON.parse(text, exactPositions);
  } catch {
    return 'the statement is not JSON';
  }
  const s = value as Partial<CheckpointStatement> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.format !== CHECKPOINT_FORMAT ||
    !Number.isSafeInteger(s.seq) ||
    typeof s.position !== 'bigint' ||
    typeof s.recordedAt !== 'string' ||
    typeof s.prev !== 'string' ||
    typeof s.keyId !== 'string' ||
    !Array.isArray(s.heads) ||
    !s.heads.every(
      (h) =>
        h &&
        typeof h.system === 'string' &&
        Number.isSafeInteger(h.version) &&
        Number.isSafeInteger(h.index) &&
        Number.isSafeInteger(h.events) &&
        typeof h.position === 'bigint' &&
        typeof h.hash === 'string',
    )
  )
    return `the statement is not a ${CHECKPOINT_FORMAT} statement`;
  if (canonicalJson(s) !== text) return 'the statement is not in canonical form';
  return s as CheckpointStatement;
}

/**
 * Positions are JSON integers in a statement, written digit for digit from the bigint (see
 * `canonicalJson`), so the format is the same below 2^53 and exact beyond; read back from their
 * source text, as a float would round them.
 */
function exactPositions(key: string, value: unknown, context?: { source?: string }): unknown {
  if (
    key === 'position' &&
    typeof value === 'number' &&
    context?.source !== undefined &&
    /^[0-9]+$/.test(context.source)
  )
    return BigInt(context.source);
  return value;
}

/** The stored checkpoints with `seq` above `after`, in order. */
export async function listCheckpoints(q: Queryable, after = 0): Promise<SignedCheckpoint[]> {
  const rows = await q.query<{ seq: number; statement: string; signature: string }>(
    'SELECT seq, statement, signature FROM checkpoints WHERE seq > $1 ORDER BY seq',
    [after],
  );
  return rows.map((r) => ({ seq: Number(r.seq), statement: r.statement, signature: r.signature }));
}

/** The server would sign a log that does not extend what it signed before: nothing is signed. */
export class CheckpointRefusedError extends StoreError {
  constructor(
    readonly position: Position | null,
    readonly system: string | null,
    readonly reason: string,
  ) {
    super(
      'INVALID',
      `checkpoint refused: ${[system === null ? null : `system ${system}`, position === null ? null : `position ${position}`].filter(Boolean).join(', ')}: ${reason}`,
    );
  }
}

/**
 * Signs the log's current head. The events since the last checkpoint are checked first (their
 * hashes recomputed, each chained to the signed head of its stream): the key signs only a log that
 * extends what it signed before. When the last checkpoint is not this key's valid signature (the
 * first one, or after a key change) the whole log is checked instead. Returns the new checkpoint,
 * or null when `onlyIfMoved` and nothing was appended. Serialised across processes.
 */
export async function signCheckpoint(
  db: Database,
  privateKey: KeyObject,
  options: SignOptions = {},
): Promise<SignedCheckpoint | null> {
  const publicKey = createPublicKey(privateKey);
  const id = keyId(publicKey);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK_KEY]);
    const [last] = await tx.query<{ seq: number; statement: string; signature: string }>(
      'SELECT seq, statement, signature FROM checkpoints ORDER BY seq DESC LIMIT 1',
    );
    const [head] = await tx.query<{ position: number | string | bigint }>(
      'SELECT position FROM log_head WHERE id = 1',
    );
    const position = toPosition(head?.position);
    let base: CheckpointStatement | null = null;
    if (last) {
      const parsed = parseStatement(last.statement);
      const ours =
        typeof parsed !== 'string' &&
        parsed.keyId === id &&
        parsed.seq === Number(last.seq) &&
        signatureValid(
          { seq: Number(last.seq), statement: last.statement, signature: last.signature },
          publicKey,
        );
      if (ours) base = parsed as CheckpointStatement;
      if (options.onlyIfMoved && ours && base?.position === position) return null;
    }
    const chains = new Map<string, StrictChain>(
      (base?.heads ?? []).map((h) => [h.system, new StrictChain(h)]),
    );
    let expected = (base?.position ?? START_POSITION) + 1n;
    for (let after = base?.position ?? START_POSITION; after < position; ) {
      const rows = await tx.query<HashedRow>(
        `SELECT ${HASHED_COLUMNS} FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT ${PAGE}`,
        [after.toString(), position.toString()],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        const at = toPosition(row.position);
        if (at !== expected)
          throw new CheckpointRefusedError(
            at,
            row.system,
            `removed: positions ${expected}..${at - 1n} are missing`,
          );
        expected = at + 1n;
        let chain = chains.get(row.system);
        if (!chain) {
          chain = StrictChain.genesis(row.system);
          chains.set(row.system, chain);
        }
        const broken = chain.step(row);
        if (broken) throw new CheckpointRefusedError(at, row.system, broken);
      }
      after = toPosition(rows.at(-1)?.position);
    }
    if (expected !== position + 1n)
      throw new CheckpointRefusedError(
        expected,
        null,
        `removed: the log head is at position ${position}, events end at ${expected - 1n}`,
      );
    const statement: CheckpointStatement = {
      format: CHECKPOINT_FORMAT,
      seq: Number(last?.seq ?? 0) + 1,
      position,
      recordedAt: await transactionTime(tx),
      prev: last ? statementHash(last.statement) : GENESIS_PREV,
      keyId: id,
      heads: [...chains.values()]
        .map((c) => c.head)
        .sort((a, b) => (a.system < b.system ? -1 : a.system > b.system ? 1 : 0)),
    };
    const text = canonicalJson(statement);
    const signature = sign(null, Buffer.from(text), privateKey).toString('base64');
    await tx.query(
      'INSERT INTO checkpoints (seq, position, recorded_at, key_id, statement, signature) VALUES ($1, $2, now(), $3, $4, $5)',
      [statement.seq, position.toString(), id, text, signature],
    );
    return { seq: statement.seq, statement: text, signature };
  });
}
