import type { HazardCode } from '@pasid/domain';
import type { StoredEvent } from '@pasid/store';
import type { LedgerEvent } from './event.type.js';

const numberOf = (data: Record<string, unknown>, key: string): number | null =>
  typeof data[key] === 'number' ? data[key] : null;
const stringOf = (data: Record<string, unknown>, key: string): string | null =>
  typeof data[key] === 'string' ? data[key] : null;

/** A stored event as GraphQL's `Event`: the row, plus the common data fields lifted out typed. */
export function toLedgerEvent(event: StoredEvent): LedgerEvent {
  const data = event.data as unknown as Record<string, unknown>;
  return {
    ...event,
    data,
    pid: numberOf(data, 'pid'),
    tid: numberOf(data, 'tid'),
    parent: numberOf(data, 'parent'),
    device: stringOf(data, 'device'),
    pasid: numberOf(data, 'pasid'),
    refcount: numberOf(data, 'refcount'),
    code: stringOf(data, 'code') as HazardCode | null,
    reason: stringOf(data, 'reason'),
  };
}
