import type { State } from '@pasid/domain';

/**
 * The finest spacing of snapshots: a stream whose state stays small gets one every this many
 * versions, so a state query replays at most this many versions of the log.
 */
export const SNAPSHOT_INTERVAL = 250;

/**
 * Entities a snapshot may hold per version of spacing. A snapshot is written only where the
 * spacing is at least its state's entities divided by this, so the bytes of snapshots per version
 * stay bounded whatever the state's size (about twice this many entities' worth per version):
 * the total grows linearly with the log. Before this rule a whole state every 250 versions grew
 * quadratically (100,000 ProcessCreated wrote 339 MB of snapshots).
 */
export const SNAPSHOT_ENTITIES_PER_VERSION = 4;

/** What a snapshot's size is proportional to: the state's rows of every kind. */
export function stateEntities(state: State): number {
  return (
    state.processes.size +
    state.tasks.size +
    state.mms.size +
    state.files.size +
    state.pasids.size +
    state.entries.size +
    state.hazards.length +
    state.freed.length
  );
}

/**
 * The spacing for a state of `entities` rows: SNAPSHOT_INTERVAL doubled until it is at least
 * `entities / SNAPSHOT_ENTITIES_PER_VERSION`. Powers of two times the interval nest, so the
 * snapshots of a growing state thin out by halves and a reader finds one at most `spacing`
 * versions back: the replay after it costs about as much as decoding the snapshot itself.
 */
export function snapshotSpacing(entities: number): number {
  let spacing = SNAPSHOT_INTERVAL;
  while (spacing * SNAPSHOT_ENTITIES_PER_VERSION < entities) spacing *= 2;
  return spacing;
}

/** Whether the state a stream reached at `version` is stored as a snapshot ("by spacing"). */
export function snapshotDue(version: number, state: State): boolean {
  return (
    version > 0 && version % SNAPSHOT_INTERVAL === 0 && version % snapshotSpacing(stateEntities(state)) === 0
  );
}
