import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash, eventHashOfJson, type HashedFields } from '../src/hash.js';

/** A row whose strings hold everything JSON escapes: quotes, backslashes, controls, a lone surrogate. */
const AWKWARD: HashedFields = {
  system: 'dsa-node-7 "quoted" \\ tab\t',
  version: 12,
  index: 1,
  kind: 'derived',
  type: 'PasidBound',
  data: {
    type: 'PasidBound',
    pid: 100,
    pasid: 7,
    note: 'é\u0001\ud800 "x"',
    nested: { z: [1, null, 'a'], a: true },
  },
  id: '6f1c2b1e-8d55-4c1a-9a3e-0d6c4b7f2a11',
  causationId: 'a3bb189e-8bf9-4888-9912-ace4e6543002',
  correlationId: 'corr\nline',
  actor: 'alice',
  recordedAt: '2026-12-08T01:02:03.123456Z',
  observedAt: new Date('2026-12-07T23:59:59.250Z'),
  prevHash: 'ab'.repeat(32),
};

/** The rule as the README states it: SHA-256 of canonicalJson of the field array. */
function byTheRule(f: HashedFields): string {
  const encoded = canonicalJson([
    2,
    f.system,
    f.version,
    f.index,
    f.kind,
    f.type,
    f.data,
    f.id,
    f.causationId,
    f.correlationId,
    f.actor,
    f.recordedAt,
    f.observedAt === null ? null : f.observedAt.toISOString(),
    f.prevHash,
  ]);
  return createHash('sha256').update(encoded).digest('hex');
}

/** A random string of code units, the awkward ones likely. */
function randomText(random: () => number): string {
  const units = ['"', '\\', '\n', '\t', '\u0000', '\u001f', '\ud800', '\udc00', 'é', '€', 'a', 'Z', '0', ' '];
  let out = '';
  const length = Math.floor(random() * 12);
  for (let i = 0; i < length; i++) out += units[Math.floor(random() * units.length)];
  return out;
}

/** A seeded generator (mulberry32), so a failure names its case. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('event hashes', () => {
  it('are the values logs were written with (pinned: a change would fail every stored chain)', () => {
    expect(eventHash(AWKWARD)).toBe('83244d5d07b962a91df20f9ffadb6687fc2c0a55630ee20080660f4f10ceb616');
    expect(eventHash({ ...AWKWARD, observedAt: null, causationId: null })).toBe(
      '5ae1342ef94d5922ab07db2238348db5c1f843b2313fa078f84c501fb91d6962',
    );
  });

  it('put together from the data JSON equal the rule for random strings of awkward characters', () => {
    const random = seeded(15);
    for (let i = 0; i < 2_000; i++) {
      const fields: HashedFields = {
        ...AWKWARD,
        system: randomText(random),
        version: Math.floor(random() * 1e9),
        index: Math.floor(random() * 20),
        kind: random() < 0.5 ? 'input' : 'derived',
        type: randomText(random),
        data: { [randomText(random)]: randomText(random), b: [randomText(random)], a: random() },
        id: random() < 0.5 ? randomUUID() : randomText(random),
        causationId: random() < 0.3 ? null : randomText(random),
        correlationId: randomText(random),
        actor: randomText(random),
        recordedAt: randomText(random),
        observedAt: random() < 0.5 ? null : new Date(Math.floor(random() * 4e12)),
        prevHash: random() < 0.5 ? randomText(random) : 'cd'.repeat(32),
      };
      const expected = byTheRule(fields);
      expect(eventHashOfJson(fields, canonicalJson(fields.data)), `case ${i}`).toBe(expected);
      expect(eventHash(fields), `case ${i}`).toBe(expected);
    }
  });
});
