import { describe, expect, it } from 'vitest';
import {
  checkInputEvent,
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  HistoryError,
  type HistoryLine,
  HistoryLineReader,
  type InputEvent,
  isValidMaxPasid,
  MAX_PASID_RULE,
  readHistory,
  readHistoryHeader,
  writeHistory,
} from '../src/index.js';
import { dsa0, workedExample } from './support/specification.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** Feeds `bytes` to a reader in pieces cut at `cuts` (byte offsets), then ends it. */
function readInPieces(bytes: Uint8Array, cuts: number[]): HistoryLine[] {
  const reader = new HistoryLineReader();
  const out: HistoryLine[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...reader.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...reader.end());
  return out;
}

function readAll(text: string): HistoryLine[] {
  return readInPieces(encode(text), []);
}

function errorOf(text: string): HistoryError {
  try {
    readAll(text);
  } catch (error) {
    if (error instanceof HistoryError) return error;
    throw error;
  }
  throw new Error('expected a HistoryError');
}

const header = '{"system": "s1", "policy": "LAZY_REFCOUNT", "maxPasid": 1048576}';
const p1 = '{"type": "ProcessCreated", "pid": 1}';

describe('HistoryLineReader', () => {
  it('detects the header on the first non-blank line and numbers lines as the file does', () => {
    const lines = readAll(`\n${header}\n\n${p1}\n   \n{"type": "TaskExited", "tid": 1}\n`);
    expect(lines).toEqual([
      { line: 2, header: { system: 's1', policy: 'LAZY_REFCOUNT', maxPasid: 1048576 } },
      { line: 4, event: { type: 'ProcessCreated', pid: 1 } },
      { line: 6, event: { type: 'TaskExited', tid: 1 } },
    ]);
  });
  it('a file without a header starts with events; an object without type later is no header', () => {
    expect(readAll(`${p1}\n`)).toEqual([{ line: 1, event: { type: 'ProcessCreated', pid: 1 } }]);
    const error = errorOf(`${p1}\n{"policy": "MM_EXIT"}\n`);
    expect(error.line).toBe(2);
    expect(error.field).toBe('type');
    expect(error.message).toMatch(/^line 2: missing field "type"/);
  });
  it('takes CRLF line ends', () => {
    expect(readAll(`${header}\r\n${p1}\r\n`).map((l) => l.line)).toEqual([1, 2]);
  });
  it('reads a last line without a newline', () => {
    expect(readAll(`${header}\n${p1}`)).toEqual([
      { line: 1, header: { system: 's1', policy: 'LAZY_REFCOUNT', maxPasid: 1048576 } },
      { line: 2, event: { type: 'ProcessCreated', pid: 1 } },
    ]);
  });
  it('rejects bad JSON with its line number', () => {
    const error = errorOf(`${header}\n\n${p1}\n{"type": "TaskExited", "tid": 1\n`);
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/^line 4: not valid JSON/);
  });
  it('rejects an unknown type, naming the known ones', () => {
    const error = errorOf(`${p1}\n{"type": "Fork", "pid": 2}\n`);
    expect(error.line).toBe(2);
    expect(error.field).toBe('type');
    expect(error.reason).toContain('unknown type "Fork"');
    expect(error.reason).toContain('ProcessCreated');
  });
  it('rejects a missing field', () => {
    const error = errorOf('{"type": "DeviceUnbound", "pid": 3}\n');
    expect([error.line, error.field]).toEqual([1, 'device']);
    expect(error.reason).toBe('missing field "device" in DeviceUnbound');
  });
  it('reads the inputs of model version 2: fd, cloexec, FileClosed, Enqcmd without device, DmarFaultLogged', () => {
    const lines = readAll(
      [
        '{"type": "DeviceBound", "pid": 3, "device": "0000:6a:01.0", "fd": 0, "cloexec": true}',
        '{"type": "FileClosed", "pid": 3, "fd": 4}',
        '{"type": "Enqcmd", "tid": 3}',
        '{"type": "DmarFaultLogged", "device": "0000:6a:01.0", "pasid": 0, "reason": "0x59"}',
      ].join('\n'),
    );
    expect(lines.map((l) => ('event' in l ? l.event : l.header))).toEqual([
      { type: 'DeviceBound', pid: 3, device: '0000:6a:01.0', fd: 0, cloexec: true },
      { type: 'FileClosed', pid: 3, fd: 4 },
      { type: 'Enqcmd', tid: 3 },
      { type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 0, reason: '0x59' },
    ]);
  });
  it('rejects an ill-typed field of model version 2, naming it', () => {
    for (const [text, field, reason] of [
      [
        '{"type": "DeviceBound", "pid": 3, "device": "0000:6a:01.0", "fd": -1}',
        'fd',
        'must be an integer from 0 to',
      ],
      [
        '{"type": "DeviceBound", "pid": 3, "device": "0000:6a:01.0", "fd": 3, "cloexec": 1}',
        'cloexec',
        'must be true or false',
      ],
      ['{"type": "FileClosed", "pid": 3}', 'fd', 'missing field "fd"'],
      [
        '{"type": "DmarFaultLogged", "device": "0000:6a:01.0", "pasid": 1048576}',
        'pasid',
        'from 0 to 1048575',
      ],
      [
        '{"type": "DmarFaultLogged", "device": "0000:6a:01.0", "pasid": 2, "reason": 89}',
        'reason',
        'must be a string',
      ],
    ] as const) {
      const error = errorOf(`${text}\n`);
      expect([error.line, error.field], text).toEqual([1, field]);
      expect(error.reason, text).toContain(reason);
    }
  });
  it('rejects an ill-typed field', () => {
    for (const [text, field] of [
      ['{"type": "ProcessCreated", "pid": "7"}', 'pid'],
      ['{"type": "ProcessCreated", "pid": 0}', 'pid'],
      ['{"type": "ProcessCreated", "pid": 1.5}', 'pid'],
      ['{"type": "Enqcmd", "tid": 3, "device": "0000:6A:01.0"}', 'device'],
      ['{"type": "DeviceBound", "pid": 3, "device": "0000:6a:01.0", "pasid": -1}', 'pasid'],
      ['{"type": "TaskExited", "tid": 3, "at": "yesterday"}', 'at'],
      ['{"type": "TaskExited", "tid": 3, "id": "not-a-uuid"}', 'id'],
    ] as const) {
      const error = errorOf(`${text}\n`);
      expect([error.line, error.field], text).toEqual([1, field]);
      expect(error.reason, text).toContain(`"${field}"`);
    }
  });
  it('rejects an unknown field (strict events)', () => {
    const error = errorOf('{"type": "TaskExited", "tid": 3, "comm": "bash"}\n');
    expect([error.line, error.field]).toEqual([1, 'comm']);
    expect(error.reason).toBe('unknown field "comm" in TaskExited');
  });
  it('rejects a bad header field', () => {
    expect(errorOf('{"policy": "SOMETIMES"}\n').field).toBe('policy');
    expect(errorOf('{"maxPasid": 1}\n').field).toBe('maxPasid');
    expect(errorOf('{"maxPasid": 2097152}\n').field).toBe('maxPasid');
    expect(errorOf('{"colour": "blue"}\n').field).toBe('colour');
  });
  it('rejects bad UTF-8 on the line where it is, wherever the chunks are cut', () => {
    const before = encode(
      `${p1}\n\n{"type": "ProcessCreated", "pid": 2}\n{"type": "TaskExited", "tid": 1}\n{"type": "Tas`,
    );
    const bytes = new Uint8Array([...before, 0xff, ...encode('kExited"}\n')]);
    for (const cuts of [[], [3], [before.length], [before.length + 1], [20, 21, 22, 40]]) {
      const error = (() => {
        try {
          readInPieces(bytes, cuts);
        } catch (e) {
          return e;
        }
      })();
      expect(error, `cuts ${cuts}`).toBeInstanceOf(HistoryError);
      expect((error as HistoryError).message).toBe('line 5: the file is not valid UTF-8');
    }
    // A character cut short at the end of the file.
    const cutShort = new Uint8Array([...encode(`${p1}\n{"system": "`), 0xe2, 0x9c]);
    expect(() => readInPieces(cutShort, [])).toThrowError('line 2: the file is not valid UTF-8');
  });
  it('keeps accepted optional fields: id, at, parent, pasid', () => {
    const event = {
      type: 'DeviceBound',
      pid: 3,
      device: dsa0,
      pasid: 9,
      id: '5b0b0c1e-8a6f-4f55-9d38-5c7c1c1f4a10',
      at: '2026-11-24T08:00:00.000Z',
    };
    expect(readAll(`${JSON.stringify(event)}\n`)).toEqual([{ line: 1, event }]);
  });

  it('gives the same lines for chunk boundaries anywhere, including inside a multi-byte character', () => {
    const text = `{"system": "dsa-nœud-7 ✓ 𝔭𝔞𝔰𝔦𝔡"}\r\n\n${workedExample.map((e) => JSON.stringify(e)).join('\n')}`;
    const bytes = encode(text);
    const whole = readInPieces(bytes, []);
    expect(whole[0]).toEqual({ line: 1, header: { system: 'dsa-nœud-7 ✓ 𝔭𝔞𝔰𝔦𝔡' } });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(readInPieces(bytes, [cut])).toEqual(whole);
    }
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(readInPieces(bytes, everyByte)).toEqual(whole);
  });

  it('readHistory streams batches from any iterable of chunks', async () => {
    const batches: HistoryLine[][] = [];
    for await (const batch of readHistory([`${header}\n${p1}`, '\n', '{"type": "TaskExited", "tid": 1}'])) {
      batches.push(batch);
    }
    expect(batches.flat().map((l) => l.line)).toEqual([1, 2, 3]);
  });
});

describe('writeHistory', () => {
  it('round-trips through the reader: header and events, in order, keys in the spec order', () => {
    const events: InputEvent[] = [
      ...workedExample,
      { at: '2026-11-24T08:00:00.000Z', tid: 200, type: 'Enqcmd', device: dsa0 } as InputEvent,
      { type: 'DeviceBound', pid: 200, device: dsa0, pasid: 2, id: '5b0b0c1e-8a6f-4f55-9d38-5c7c1c1f4a10' },
    ];
    const text = [...writeHistory({ system: 'round', policy: 'EAGER_UNBIND', maxPasid: 64 }, events)].join(
      '',
    );
    const lines = readAll(text);
    expect(lines[0]).toEqual({ line: 1, header: { system: 'round', policy: 'EAGER_UNBIND', maxPasid: 64 } });
    expect(lines.slice(1).map((l) => ('event' in l ? l.event : null))).toEqual(events);
    expect(formatHistoryEvent(events[14]!)).toBe(
      '{"type":"Enqcmd","tid":200,"device":"0000:6a:01.0","at":"2026-11-24T08:00:00.000Z"}',
    );
  });
  it('a header with nothing in it is still a header line', () => {
    const text = [...writeHistory({}, workedExample.slice(0, 1))].join('');
    expect(readAll(text)).toEqual([
      { line: 1, header: {} },
      { line: 2, event: workedExample[0] },
    ]);
  });
});

describe('checkInputEvent', () => {
  it('rejects what is not an object', () => {
    for (const value of [null, 3, 'x', [1]]) expect(checkInputEvent(value).ok).toBe(false);
  });
});

describe('readHistoryHeader and isValidMaxPasid: the facts every caller imports', () => {
  it('finds the header after any number of blank lines, as the reader does', () => {
    const header = '{"system":"other","policy":"EAGER_UNBIND"}';
    for (const blanks of [0, 1, 59, 200]) {
      const text = `${'  \r\n'.repeat(blanks)}${header}\n{"type":"ProcessCreated","pid":1}\n`;
      expect(readHistoryHeader(text)).toEqual({ system: 'other', policy: 'EAGER_UNBIND' });
      const lines = new HistoryLineReader().push(text);
      expect(lines[0]).toEqual({ line: blanks + 1, header: { system: 'other', policy: 'EAGER_UNBIND' } });
    }
  });

  it('is null when the first line with content is an event, not JSON, or there is none', () => {
    expect(readHistoryHeader('\n{"type":"ProcessCreated","pid":1}\n{"system":"late"}\n')).toBeNull();
    expect(readHistoryHeader('{"system": \n')).toBeNull();
    expect(readHistoryHeader('[1]\n')).toBeNull();
    expect(readHistoryHeader('\n \n')).toBeNull();
    expect(readHistoryHeader('')).toBeNull();
  });

  it('accepts maxPasid from 2 to 2^20 only, in the header as in the rule', () => {
    expect([2, 1000, DEFAULT_MAX_PASID].map(isValidMaxPasid)).toEqual([true, true, true]);
    expect([1, 0, -2, DEFAULT_MAX_PASID + 1, 2.5, '4', null].map(isValidMaxPasid)).toEqual(
      Array(7).fill(false),
    );
    expect(() => new HistoryLineReader().push('{"maxPasid":1}\n')).toThrow(`must be ${MAX_PASID_RULE}`);
    expect(new HistoryLineReader().push('{"maxPasid":2}\n')).toEqual([{ line: 1, header: { maxPasid: 2 } }]);
  });
});
