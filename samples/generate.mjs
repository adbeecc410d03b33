#!/usr/bin/env node
import { once } from 'node:events';
// Writes a random *valid* history (every event accepted by the domain's rules) to stdout or a file.
// Usage: node samples/generate.mjs [--events N] [--policy P] [--max-pasid M] [--seed S] [--out FILE]
// Needs `npm run build` first (it uses the built @pasid/domain).
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  POLICIES,
} from '@pasid/domain';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    policy: { type: 'string', default: 'LAZY_REFCOUNT' },
    'max-pasid': { type: 'string', default: String(DEFAULT_MAX_PASID) },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const events = Number(values.events);
const maxPasid = Number(values['max-pasid']);
const seed = Number(values.seed);
const policy = values.policy;
if (!POLICIES.includes(policy)) throw new Error(`--policy must be one of ${POLICIES.join(', ')}`);
if (!Number.isInteger(events) || events < 0) throw new Error('--events must be a non-negative integer');

const out = values.out ? createWriteStream(values.out) : process.stdout;
const history = generateHistory({ policy, maxPasid, seed });
let batch = `${formatHistoryHeader({ system: `random-seed-${seed}`, policy, maxPasid })}\n`;
for (let i = 1; i <= events; i++) {
  batch += `${formatHistoryEvent(history.next().value)}\n`;
  if (i % 10000 === 0) {
    if (!out.write(batch)) await once(out, 'drain');
    batch = '';
    if (i % 100000 === 0 && values.out) process.stderr.write(`${i} events\n`);
  }
}
out.write(batch);
if (values.out) {
  out.end();
  await once(out, 'finish');
}
