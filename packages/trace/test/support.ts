import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputEvent } from '@pasid/domain';
import {
  type ModelGate,
  type TraceOptions,
  TraceReport,
  type TraceSource,
  traceInputs,
} from '../src/index.js';

export const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const fixture = (name: string): TraceSource => ({
  name,
  chunks: createReadStream(path.join(fixtures, name)),
});

export const textSource = (name: string, text: string, chunkSize = 7): TraceSource => ({
  name,
  chunks: (async function* () {
    // Small chunks: lines cut anywhere must still come out whole.
    for (let i = 0; i < text.length; i += chunkSize) yield Buffer.from(text.slice(i, i + chunkSize));
  })(),
});

/** A model that takes everything: tests of the readers and the interpretation alone. */
export const takesAll: ModelGate = { apply: () => ({ ok: true }) };

export async function collect(
  sources: TraceSource[],
  options: TraceOptions = {},
): Promise<{ inputs: InputEvent[]; report: TraceReport }> {
  const report = new TraceReport();
  const inputs: InputEvent[] = [];
  for await (const batch of traceInputs(sources, options, report)) inputs.push(...batch);
  return { inputs, report };
}

/** Inputs without id and at, for comparing with what a scenario expects. */
export const bare = (inputs: InputEvent[]) =>
  inputs.map(({ id: _id, at: _at, ...rest }) => rest as Record<string, unknown>);
