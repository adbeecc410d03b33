import { type Policy, Replayer } from '@pasid/domain';
import { HASHED_COLUMNS, type HashedRow, isHashFormat, rowHash, type StreamHead } from './chain.js';
import { CheckpointAudit } from './checkpoint-audit.js';
import { listCheckpoints } from './checkpoints.js';
import type { Database } from './database.js';
import type { VerifyOptions, VerifyReport } from './event-store.js';
import { canonicalJson, GENESIS_HASH } from './hash.js';
import { comparePositions, type Position, START_POSITION, toPosition } from './position.js';
import { applyRows, type StepRow } from './replay.js';
import { toStoredEvent } from './rows.js';
import { type EncodedState, encodeState, SNAPSHOT_FORMAT } from './state-codec.js';

const PAGE = 5000;

type Breach = VerifyReport['breaches'][number];

interface Walk {
  version: number;
  index: number;
  hash: string;
  position: Position;
  events: number;
  /** The first break found; later events of the stream are only scanned to classify it. */
  breach: Breach | null;
  /** After a sequence break: the (version, index) that was missing where the break was found. */
  missing: { version: number; index: number } | null;
  /** The newest hash format seen: an older one after it is a downgrade. */
  format: number;
  /**
   * The head as the chain recomputes it from the rows' content alone (each hash over the previous
   * recomputed one, whatever the stored hashes say): what checkpoints are compared with.
   */
  recomputed: StreamHead;
}

/**
 * Walks the whole log in position order and checks, per stream, that each event's hash matches
 * its content (under the row's hash format), that it links to the previous event's hash, and
 * that versions and indexes follow each other; then that each stream ends where its `systems` row
 * says and that global positions have no holes. Works from the rows alone, so it finds what a
 * superuser with the triggers disabled changed, removed or reordered. With a public key, also
 * checks the signed checkpoints (see `CheckpointAudit`): what catches a rewrite whose hashes were
 * all recomputed.
 */
export async function verifyLog(db: Database, options: VerifyOptions = {}): Promise<VerifyReport> {
  const audit = options.publicKey
    ? new CheckpointAudit(await listCheckpoints(db), options.publicKey, options.kept)
    : null;
  const heads = new Map<string, StreamHead>();
  const walks = new Map<string, Walk>();
  const breaches: Breach[] = [];
  let eventsChecked = 0;
  let expectedPosition = START_POSITION + 1n;
  let positionBreach: Breach | null = null;
  for (let after = START_POSITION; ; ) {
    const rows = await db.query<HashedRow>(
      `SELECT ${HASHED_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT ${PAGE}`,
      [after.toString()],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const event = toStoredEvent(row);
      eventsChecked += 1;
      audit?.at(event.position, heads);
      if (event.position !== expectedPosition && !positionBreach) {
        positionBreach = {
          system: event.system,
          position: event.position,
          version: event.version,
          reason: `removed: positions ${expectedPosition}..${event.position - 1n} are missing from the log`,
        };
      }
      expectedPosition = event.position + 1n;
      let walk = walks.get(event.system);
      if (!walk) {
        walk = {
          version: 0,
          index: -1,
          hash: GENESIS_HASH,
          position: START_POSITION,
          events: 0,
          breach: null,
          missing: null,
          format: 1,
          recomputed: {
            system: event.system,
            version: 0,
            index: 0,
            events: 0,
            position: START_POSITION,
            hash: GENESIS_HASH,
          },
        };
        walks.set(event.system, walk);
      }
      walk.events += 1;
      const formatKnown = isHashFormat(row.hash_format);
      const recomputed = formatKnown && (audit || !walk.breach) ? rowHash(row) : '';
      if (audit) {
        const chained =
          !formatKnown || row.prev_hash === walk.recomputed.hash
            ? recomputed
            : rowHash(row, walk.recomputed.hash);
        walk.recomputed = {
          system: event.system,
          version: event.version,
          index: event.index,
          events: walk.recomputed.events + 1,
          position: event.position,
          hash: chained,
        };
        heads.set(event.system, walk.recomputed);
      }
      if (walk.breach) {
        if (walk.missing && walk.missing.version === event.version && walk.missing.index === event.index) {
          walk.breach.reason = `reordered: version ${event.version} index ${event.index} is stored at position ${event.position}, after later events`;
          walk.missing = null;
        }
        continue;
      }
      const inSequence =
        event.index === 0
          ? event.version === walk.version + 1
          : event.version === walk.version && event.index === walk.index + 1;
      const next =
        event.index === 0
          ? { version: walk.version + 1, index: 0 }
          : { version: event.version, index: event.index - 1 };
      const at = { system: event.system, position: event.position, version: event.version };
      if (!formatKnown) {
        walk.breach = { ...at, reason: `changed: unknown hash format ${row.hash_format}` };
      } else if (row.hash_format < walk.format) {
        walk.breach = {
          ...at,
          reason: `changed: hash format ${row.hash_format} after format ${walk.format} events (a downgrade: this code writes format ${walk.format} only)`,
        };
      } else if (recomputed !== event.hash) {
        walk.breach = { ...at, reason: `changed: the event's content does not match its hash` };
      } else if (!inSequence) {
        walk.missing = next;
        walk.breach = {
          ...at,
          reason: `removed: version ${next.version} index ${next.index} is missing before this event (version ${event.version} index ${event.index})`,
        };
      } else if (event.prevHash !== walk.hash) {
        walk.breach = {
          ...at,
          reason: `removed or reordered: prev_hash does not match the hash of the stream's previous event${walk.position ? ` (position ${walk.position})` : ''}`,
        };
      }
      walk.format = row.hash_format;
      walk.version = event.version;
      walk.index = event.index;
      walk.hash = event.hash;
      walk.position = event.position;
    }
    after = toPosition(rows.at(-1)?.position);
  }
  const systems = await db.query<{
    name: string;
    policy: Policy;
    max_pasid: number;
    version: number;
    event_count: number;
    last_hash: string;
  }>('SELECT name, policy, max_pasid, version, event_count, last_hash FROM systems ORDER BY name');
  const known = new Set(systems.map((s) => s.name));
  for (const s of systems) {
    const walk = walks.get(s.name);
    if (walk?.breach) continue;
    const events = walk?.events ?? 0;
    const hash = walk?.hash ?? GENESIS_HASH;
    if (events !== s.event_count || hash !== s.last_hash || (walk?.version ?? 0) !== s.version) {
      const lost = s.event_count - events;
      breaches.push({
        system: s.name,
        position: walk?.position ?? null,
        version: walk?.version ?? null,
        reason:
          lost > 0
            ? `removed: the stream holds ${events} events up to version ${walk?.version ?? 0}; ${s.version} versions and ${s.event_count} events were recorded`
            : `changed: the stream ends with hash ${hash.slice(0, 12)}…, version ${walk?.version ?? 0} and ${events} events; recorded: ${s.last_hash.slice(0, 12)}…, version ${s.version}, ${s.event_count} events`,
      });
    }
  }
  // Snapshots are outside the hash chain: each must equal the state the (intact) log gives.
  for (const s of systems) {
    if (walks.get(s.name)?.breach || breaches.some((b) => b.system === s.name)) continue;
    const wrong = await snapshotBreach(db, s);
    if (wrong) breaches.push(wrong);
  }
  for (const [name, walk] of walks) {
    if (walk.breach) breaches.push(walk.breach);
    else if (!known.has(name)) {
      breaches.push({
        system: name,
        position: walk.position,
        version: walk.version,
        reason: 'unknown system: no systems row records this stream',
      });
    }
  }
  if (positionBreach && !breaches.some((b) => b.system === positionBreach.system))
    breaches.push(positionBreach);
  breaches.sort((a, b) => comparePositions(a.position ?? START_POSITION, b.position ?? START_POSITION));
  const checkpoints = audit?.finish(expectedPosition - 1n, heads, eventsChecked);
  return {
    ok: breaches.length === 0 && !positionBreach && (checkpoints?.findings.length ?? 0) === 0,
    eventsChecked,
    systemsChecked: Math.max(known.size, walks.size),
    breaches,
    ...(checkpoints ? { checkpoints } : {}),
  };
}

/**
 * The first snapshot of a stream (under its own policy) that differs from the state its log
 * replays to at that version, or null. Snapshots carry no hash of their own and no trigger, so an
 * edited one would change what time travel answers while the chain stays intact. Snapshots of
 * another format are left out: no read decodes them, so they change no answer.
 */
async function snapshotBreach(
  db: Database,
  system: { name: string; policy: Policy; max_pasid: number },
): Promise<Breach | null> {
  const snapshots = await db.query<{ version: number; state: EncodedState }>(
    `SELECT version, state FROM snapshots WHERE system = $1 AND policy = $2 AND format = $3
     ORDER BY version`,
    [system.name, system.policy, SNAPSHOT_FORMAT],
  );
  if (snapshots.length === 0) return null;
  const replayer = new Replayer({ policy: system.policy, maxPasid: system.max_pasid });
  let from = 0;
  for (const snapshot of snapshots) {
    const rows = await db.query<StepRow>(
      `SELECT version, index, data FROM events WHERE system = $1 AND version > $2 AND version <= $3
       ORDER BY version, index`,
      [system.name, from, snapshot.version],
    );
    applyRows(replayer, rows);
    from = snapshot.version;
    const replayed = canonicalJson(JSON.parse(JSON.stringify(encodeState(replayer.state))));
    if (replayed !== canonicalJson(snapshot.state)) {
      return {
        system: system.name,
        position: null,
        version: snapshot.version,
        reason: `changed: the snapshot at version ${snapshot.version} does not match the state the log gives at that version`,
      };
    }
  }
  return null;
}
