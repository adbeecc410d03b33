import type { PasidPool, State } from './state.js';

/** The value `ida_alloc_range(1, maxPasid - 1)` would return, or null when every value is taken. */
export function lowestFreePasid(state: State): number | null {
  const top = state.pool.free[0];
  if (top !== undefined) return top;
  return state.pool.high < state.maxPasid ? state.pool.high : null;
}

export function isPasidInRange(state: State, pasid: number): boolean {
  return pasid >= 1 && pasid < state.maxPasid;
}

/** Marks `pasid` taken. The caller has checked it is free and in range. */
export function takePasid(pool: PasidPool, pasid: number): void {
  if (pasid >= pool.high) {
    // Values skipped over by an explicit PASID become free values below the new high mark.
    for (let v = pool.high; v < pasid; v++) heapPush(pool.free, v);
    pool.high = pasid + 1;
    return;
  }
  if (pool.free[0] === pasid) {
    heapPop(pool.free);
    return;
  }
  // An explicit PASID from the middle of the free list: rare, linear.
  const at = pool.free.indexOf(pasid);
  if (at >= 0) heapRemoveAt(pool.free, at);
}

export function releasePasid(pool: PasidPool, pasid: number): void {
  heapPush(pool.free, pasid);
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  siftUp(heap, heap.length - 1);
}

function heapPop(heap: number[]): void {
  heapRemoveAt(heap, 0);
}

function heapRemoveAt(heap: number[], at: number): void {
  const last = heap.pop() as number;
  if (at === heap.length) return;
  heap[at] = last;
  siftDown(heap, at);
  siftUp(heap, at);
}

function siftUp(heap: number[], from: number): void {
  let i = from;
  const value = heap[i] as number;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as number;
    if (p <= value) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = value;
}

function siftDown(heap: number[], from: number): void {
  let i = from;
  const n = heap.length;
  const value = heap[i] as number;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    let child = left;
    if (right < n && (heap[right] as number) < (heap[left] as number)) child = right;
    if ((heap[child] as number) >= value) break;
    heap[i] = heap[child] as number;
    i = child;
  }
  heap[i] = value;
}
