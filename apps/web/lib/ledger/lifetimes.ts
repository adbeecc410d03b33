import { HistoryLineReader, type InputEvent, type Lifetimes, lifetimes, type Policy } from '@pasid/domain';
import { exportHistory } from './index';

/**
 * The lifetimes of a stored history, for the lanes: the history comes from the API (the export,
 * input events only) and the domain decides and folds it (`lifetimes`), so no rule is restated
 * here. Cached per system, version and policy: a recorded history never changes.
 */
const cache = new Map<string, Lifetimes>();
const CACHE_SIZE = 8;

export async function getLifetimes(
  name: string,
  version: number,
  maxPasid: number,
  policy: Policy,
): Promise<Lifetimes> {
  const key = `${name}\u0000${version}\u0000${policy}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const reader = new HistoryLineReader();
  const inputs: InputEvent[] = [];
  for (const line of [...reader.push(await exportHistory(name)), ...reader.end()]) {
    if ('event' in line) inputs.push(line.event);
  }
  const result = lifetimes({ policy, maxPasid }, inputs);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}
