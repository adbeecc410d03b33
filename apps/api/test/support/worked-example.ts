import { readFileSync } from 'node:fs';

export const dsa0 = '0000:6a:01.0';
export const iax0 = '0000:6a:02.0';

/** The spec's worked example, as committed in samples/ (header first, then 14 input events). */
export const workedExampleText = readFileSync(
  new URL('../../../../samples/worked-example.jsonl', import.meta.url),
  'utf8',
);

export const workedExampleEvents: Record<string, unknown>[] = workedExampleText
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Record<string, unknown>)
  .filter((value) => 'type' in value);

/** What `pasid replay --json` gives for it: the contract's document, committed beside the sample. */
export const workedExampleDocument: unknown = JSON.parse(
  readFileSync(new URL('../../../../samples/worked-example.expected.json', import.meta.url), 'utf8'),
);
