import { describe, expect, it } from 'vitest';
import type { EventFieldsFragment } from '@/lib/ledger/generated/graphql';
import { comparePositions, isLogPosition, lastOf, positionBefore } from '@/lib/ledger/log-position';
import { toLedgerEvent } from '@/lib/ledger/mappers';

/** The body the API sends for an event past 2^53 (the Position scalar is a decimal string). */
const body = `{"data":{"log":{"nodes":[{"id":"6f1c2a47-0d7e-4c1b-9a1e-2f3f4b5c6d7e","position":"9007199254740993","system":"far","version":1,"index":0,"kind":"INPUT","type":"ProcessCreated","data":{"type":"ProcessCreated","pid":1},"actor":"web","correlationId":"c","causationId":null,"recordedAt":"2026-12-08T00:00:00.000Z","observedAt":null,"hash":"h"}]}}}`;

describe('log positions past 2^53', () => {
  it('keeps the position the API sent, digit for digit, from the response to the UI event', () => {
    const [node] = (JSON.parse(body) as { data: { log: { nodes: EventFieldsFragment[] } } }).data.log.nodes;
    const event = toLedgerEvent(node!);
    expect(event.position).toBe('9007199254740993');
    // What a number would have made of it: the neighbour below.
    expect(String(Number(event.position))).toBe('9007199254740992');
  });

  it('orders, steps and validates positions where numbers cannot tell them apart', () => {
    // As numbers these two are equal, so the live view's dedup would drop the later event.
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(comparePositions('9007199254740993', '9007199254740992')).toBe(1);
    expect(comparePositions('9007199254740992', '9007199254740993')).toBe(-1);
    expect(comparePositions('10', '9')).toBe(1); // not compared as text
    expect(positionBefore('9007199254740994')).toBe('9007199254740993');
    expect(lastOf(['9007199254740993', '9007199254740995', '9007199254740994'])).toBe('9007199254740995');
    expect(lastOf([])).toBeNull();
    expect(isLogPosition('9223372036854775807')).toBe(true);
    for (const bad of ['9223372036854775808', '-1', '1.5', '01', '', '1e3'])
      expect(isLogPosition(bad), bad).toBe(false);
  });
});
