import { readFileSync } from 'node:fs';
import {
  describeHazard,
  HAZARD_DESCRIPTIONS,
  type HazardCode,
  SIGSEGV_REASON_DESCRIPTIONS,
} from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { ok } from './support/client.js';
import {
  dsa0,
  iax0,
  workedExampleDocument,
  workedExampleEvents,
  workedExampleText,
} from './support/worked-example.js';

const STATE_DOC =
  'policy events pasids { pasid pid refcount devices released } tasks { tid pid msr activated } files { pid fd device pasid holder cloexec } freed hazards { code reason event tid pid device pasid observed explained }';

interface EventPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { position: string } }[];
}

/** The replay document with the fields a hazard lacks left out, as `pasid replay --json` prints it. */
function asReplayDocument(state: Record<string, unknown>) {
  const hazards = (state.hazards as Record<string, unknown>[]).map((h) =>
    Object.fromEntries(Object.entries(h).filter(([, v]) => v !== null)),
  );
  return { ...state, hazards };
}

describe.skipIf(!(await postgresAvailable('the API tests')))('GraphQL API over HTTP', () => {
  let t: TestApi;
  const readStreamCalls: { n: number } = { n: 0 };

  beforeAll(async () => {
    // Counts the store's range reads, to see the DataLoader batch a page's derived events.
    const counting = (store: EventStore): EventStore =>
      new Proxy(store, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key === 'readStream') {
            return (...args: Parameters<EventStore['readStream']>) => {
              readStreamCalls.n += 1;
              return target.readStream(...args);
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    t = await startTestApi({}, counting);
  });
  afterAll(() => t?.close());

  it('records the worked example event by event and serves its state, time travel and what-if', async () => {
    const created = await ok<{ createSystem: { name: string; version: number; createdBy: string } }>(
      t.url,
      'mutation { createSystem(input: { name: "dsa-node-7", policy: LAZY_REFCOUNT }) { name version createdBy } }',
      {},
      t.tokens.writer,
    );
    expect(created.createSystem).toEqual({ name: 'dsa-node-7', version: 0, createdBy: 'tracer-7' });

    const hazardsSeen: { step: number; code: string }[] = [];
    for (const [i, event] of workedExampleEvents.entries()) {
      const { recordEvents } = await ok<{
        recordEvents: {
          version: number;
          hazards: { code: string; event: number }[];
          events: { actor: string; version: number }[];
        };
      }>(
        t.url,
        `mutation Record($events: [LifecycleEventInput!]!, $v: Int) {
          recordEvents(system: "dsa-node-7", expectedVersion: $v, events: $events) {
            version hazards { code event } events { actor version }
          }
        }`,
        { events: [event], v: i },
        t.tokens.writer,
      );
      expect(recordEvents.version).toBe(i + 1);
      expect(recordEvents.events.every((e) => e.actor === 'tracer-7' && e.version === i + 1)).toBe(true);
      for (const h of recordEvents.hazards) hazardsSeen.push({ step: h.event, code: h.code });
    }
    expect(hazardsSeen).toEqual([
      { step: 8, code: 'SIGSEGV' },
      { step: 12, code: 'DMAR_FAULT' },
    ]);

    const latest = await ok<{
      system: { version: number; livePasids: number; hazardCount: number; state: Record<string, unknown> };
    }>(t.url, `{ system(name: "dsa-node-7") { version livePasids hazardCount state { ${STATE_DOC} } } }`);
    expect(latest.system).toMatchObject({ version: 14, livePasids: 1, hazardCount: 2 });
    // The contract's `pasid replay --json` document for this history.
    expect(asReplayDocument(latest.system.state)).toEqual(workedExampleDocument);

    const travel = await ok<{
      system: {
        at6: {
          pasid: { refcount: number; devices: string[] };
          device: { bonds: { pid: number; count: number }[] };
        };
        at12: {
          hazards: { code: string }[];
          pasid: { refcount: number; pid: number };
          process: { tasks: number[] };
        };
        at13: {
          pasids: { pasid: number; pid: number }[];
          process: { pasid: number; bonds: { device: string }[] };
        };
        whatIf: { policy: string; pasids: { pasid: number; pid: number }[]; freed: number[] };
      };
    }>(
      t.url,
      `{ system(name: "dsa-node-7") {
          at6: state(at: 6) { pasid(value: 1) { refcount devices } device(address: "${iax0}") { bonds { pid count } } }
          at12: state(at: 12) { hazards { code } pasid(value: 1) { refcount pid } process(pid: 100) { tasks } }
          at13: state(at: 13) { pasids { pasid pid } process(pid: 200) { pasid bonds { device } } }
          whatIf: state(policy: EAGER_UNBIND) { policy pasids { pasid pid } freed }
      } }`,
    );
    const s = travel.system;
    expect(s.at6.pasid).toEqual({ refcount: 4, devices: [dsa0, iax0] });
    expect(s.at6.device.bonds).toEqual([{ pid: 100, count: 1 }]);
    expect(s.at12.hazards.at(-1)?.code).toBe('DMAR_FAULT');
    expect(s.at12.pasid).toEqual({ refcount: 1, pid: 100 });
    expect(s.at12.process.tasks).toEqual([100]);
    expect(s.at13.pasids).toEqual([
      { pasid: 1, pid: 100 },
      { pasid: 2, pid: 200 },
    ]);
    expect(s.at13.process).toEqual({ pasid: 2, bonds: [{ device: dsa0 }] });
    // Under EAGER_UNBIND PASID 1 is freed at step 11 and handed to process 200 at step 13.
    expect(s.whatIf).toEqual({ policy: 'EAGER_UNBIND', pasids: [{ pasid: 1, pid: 200 }], freed: [1] });
  });

  it('pages the events with cursors and filters, and loads derived events in one batch per page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: { events: EventPage } = await ok<{ events: EventPage }>(
        t.url,
        'query Page($after: String) { events(system: "dsa-node-7", first: 7, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { position } } } }',
        { after },
      );
      const { events } = page;
      pages += 1;
      for (const e of events.edges) {
        expect(e.cursor).toBe(e.node.position);
        seen.push(e.node.position);
      }
      if (!events.pageInfo.hasNextPage) break;
      after = events.pageInfo.endCursor;
    }
    const { system } = await ok<{ system: { eventCount: number } }>(
      t.url,
      '{ system(name: "dsa-node-7") { eventCount } }',
    );
    expect(seen).toHaveLength(system.eventCount);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => Number(BigInt(a) - BigInt(b))));
    expect(pages).toBe(Math.ceil(system.eventCount / 7));

    readStreamCalls.n = 0;
    const filtered = await ok<{
      inputs: {
        nodes: {
          type: string;
          kind: string;
          derived: { type: string; causationId: string; version: number }[];
          id: string;
          version: number;
        }[];
      };
      hazards: { nodes: { code: string; version: number; cause: { type: string; tid: number } }[] };
      byActor: { nodes: { actor: string }[] };
    }>(
      t.url,
      `{
        inputs: events(system: "dsa-node-7", first: 100, filter: { kind: INPUT }) { nodes { id type kind version derived { type causationId version } } }
        hazards: log(first: 100, filter: { types: ["HazardDetected"] }) { nodes { code version cause { type tid } } }
        byActor: log(first: 100, filter: { actor: "nobody" }) { nodes { actor } }
      }`,
    );
    const inputs = filtered.inputs.nodes;
    expect(inputs).toHaveLength(14);
    expect(inputs.every((e) => e.kind === 'INPUT')).toBe(true);
    for (const input of inputs) {
      for (const d of input.derived)
        expect(d).toMatchObject({ causationId: input.id, version: input.version });
    }
    expect(inputs[1]?.derived.map((d) => d.type)).toContain('PasidAllocated');
    const byId = await ok<{ derivedEvents: { type: string; causationId: string; version: number }[] }>(
      t.url,
      'query($id: ID!) { derivedEvents(inputId: $id) { type causationId version } }',
      { id: inputs[1]?.id },
    );
    expect(byId.derivedEvents).toEqual(inputs[1]?.derived);
    // All 14 inputs' derived events and both hazards' causes: one range read per field.
    expect(readStreamCalls.n).toBeGreaterThanOrEqual(1);
    expect(readStreamCalls.n).toBeLessThanOrEqual(2);
    expect(filtered.hazards.nodes).toEqual([
      { code: 'SIGSEGV', version: 8, cause: { type: 'Enqcmd', tid: 200 } },
      { code: 'DMAR_FAULT', version: 12, cause: { type: 'Enqcmd', tid: 100 } },
    ]);
    expect(filtered.byActor.nodes).toEqual([]);

    // The audit chain as a client sees it: each event links to the hash of the one before.
    const chain = await ok<{ events: { nodes: { hash: string; prevHash: string }[] } }>(
      t.url,
      '{ events(system: "dsa-node-7", first: 1000) { nodes { hash prevHash } } }',
    );
    expect(chain.events.nodes[0]?.prevHash).toBe('0'.repeat(64));
    chain.events.nodes.slice(1).forEach((e, i) => {
      expect(e.prevHash).toBe(chain.events.nodes[i]?.hash);
    });
  });

  it('imports a history file, exports it back, lists systems and verifies the log', async () => {
    const { importHistory } = await ok<{
      importHistory: { version: number; system: { name: string; policy: string; createdBy: string } };
    }>(
      t.url,
      'mutation Import($h: String!) { importHistory(system: "worked-example", history: $h) { version system { name policy createdBy } } }',
      { h: workedExampleText },
      t.tokens.admin,
    );
    expect(importHistory).toEqual({
      version: 14,
      system: { name: 'worked-example', policy: 'LAZY_REFCOUNT', createdBy: 'alice-admin' },
    });
    const data = await ok<{
      a: { state: Record<string, unknown> };
      b: { state: Record<string, unknown> };
      exportHistory: string;
      systems: { name: string; eventCount: number; livePasids: number; hazardCount: number }[];
      verifyLog: { ok: boolean; eventsChecked: number; breaches: unknown[] };
    }>(
      t.url,
      `{ a: system(name: "dsa-node-7") { state { ${STATE_DOC} } }
         b: system(name: "worked-example") { state { ${STATE_DOC} } }
         exportHistory(system: "worked-example")
         systems { name eventCount livePasids hazardCount }
         verifyLog { ok eventsChecked breaches { reason } } }`,
    );
    expect(data.b.state).toEqual(data.a.state);
    const exported = data.exportHistory
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(exported.slice(1)).toEqual(workedExampleEvents);
    expect(data.systems.map((s) => s.name).sort()).toEqual(['dsa-node-7', 'worked-example']);
    expect(data.systems[0]?.eventCount).toBe(data.systems[1]?.eventCount);
    expect(data.verifyLog.ok).toBe(true);
    expect(data.verifyLog.eventsChecked).toBe(2 * (data.systems[0]?.eventCount ?? 0));
  });

  it('serves model version 2: fd tables, released mms, lookups by holder, the new inputs and hazard fields', async () => {
    const sample = (name: string) =>
      readFileSync(new URL(`../../../samples/${name}.jsonl`, import.meta.url), 'utf8');
    for (const name of ['inherited-file', 'exec-after-enqcmd']) {
      await ok(
        t.url,
        `mutation Import($h: String!) { importHistory(system: "${name}", history: $h) { version } }`,
        { h: sample(name) },
        t.tokens.admin,
      );
    }
    const data = await ok<{
      inherited: {
        at5: { files: unknown[]; filesHeldBy: unknown[]; pasid: unknown; processes: { pid: number }[] };
        latest: Record<string, unknown>;
      };
      exec: { state: { hazards: { code: string; reason: string | null; description: string }[] } };
    }>(
      t.url,
      `{ inherited: system(name: "inherited-file") {
           at5: state(at: 5) {
             files { pid fd device pasid holder cloexec }
             filesHeldBy(holder: 300) { pid fd }
             pasid(value: 1) { pid devices released }
             processes { pid }
           }
           latest: state { ${STATE_DOC} }
         }
         exec: system(name: "exec-after-enqcmd") { state { hazards { code reason description } } } }`,
    );
    // After 300 exits, 301's inherited fd 3 still holds 300's released mm and PASID 1.
    expect(data.inherited.at5).toEqual({
      files: [{ pid: 301, fd: 3, device: dsa0, pasid: 1, holder: 300, cloexec: false }],
      filesHeldBy: [{ pid: 301, fd: 3 }],
      pasid: { pid: 300, devices: [], released: true },
      processes: [{ pid: 301 }],
    });
    expect(asReplayDocument(data.inherited.latest)).toEqual(
      JSON.parse(
        readFileSync(new URL('../../../samples/inherited-file.expected.json', import.meta.url), 'utf8'),
      ),
    );
    const hazards = data.exec.state.hazards;
    expect(hazards.map((h) => [h.code, h.reason])).toEqual([
      ['SIGSEGV', 'ALREADY_ACTIVATED'],
      ['UNBALANCED_PUT', null],
      ['PASID_FREED_WHILE_BOUND', null],
      ['REFCOUNT_UNDERFLOW', null],
    ]);
    // Each hazard's sentence from the domain: the code's, and for the SIGSEGV its reason's after it.
    expect(
      hazards.every(
        (h) =>
          h.description ===
          describeHazard({
            code: h.code as HazardCode,
            reason: h.reason === 'ALREADY_ACTIVATED' ? h.reason : undefined,
          }),
      ),
    ).toBe(true);
    expect(hazards[0]!.description).toBe(
      `${HAZARD_DESCRIPTIONS.SIGSEGV} ${SIGSEGV_REASON_DESCRIPTIONS.ALREADY_ACTIVATED}`,
    );
    expect(hazards[1]!.description).toBe(HAZARD_DESCRIPTIONS.UNBALANCED_PUT);

    await ok(
      t.url,
      'mutation { createSystem(input: { name: "v2-inputs", policy: MM_EXIT }) { name } }',
      {},
      t.tokens.writer,
    );
    const { recordEvents } = await ok<{
      recordEvents: { version: number; hazards: Record<string, unknown>[] };
    }>(
      t.url,
      `mutation Record($events: [LifecycleEventInput!]!) {
        recordEvents(system: "v2-inputs", events: $events) { version hazards { code event device pasid observed explained } }
      }`,
      {
        events: [
          { type: 'ProcessCreated', pid: 7 },
          { type: 'DeviceBound', pid: 7, device: dsa0, fd: 4, cloexec: true },
          { type: 'Enqcmd', tid: 7 },
          { type: 'DmarFaultLogged', device: dsa0, pasid: 1, reason: '0x59' },
          { type: 'FileClosed', pid: 7, fd: 4 },
        ],
      },
      t.tokens.writer,
    );
    expect(recordEvents).toEqual({
      version: 5,
      hazards: [{ code: 'DMAR_FAULT', event: 4, device: dsa0, pasid: 1, observed: true, explained: false }],
    });
  });

  it("the PASID table keeps entries by (device, value) and the mm they point at: the third example's use-after-free, with a thread keeping process 400 alive, leaves (iax0, 1) pointing at 400's mm while PASID 1 goes to process 500", async () => {
    await ok(
      t.url,
      'mutation { createSystem(input: { name: "uaf-entries", policy: LAZY_REFCOUNT }) { name } }',
      {},
      t.tokens.writer,
    );
    const execAfterEnqcmd = readFileSync(
      new URL('../../../samples/exec-after-enqcmd.jsonl', import.meta.url),
      'utf8',
    )
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((value) => 'type' in value);
    const events = [
      // The third example's steps 1-8: 400 execs after ENQCMD, binds iax0 (PASID 1 again), thread 401 fixed up.
      ...execAfterEnqcmd.slice(0, 8),
      // 9: a thread that outlives 400 and 401, so the process (and its mm) stays.
      { type: 'ThreadCreated', tid: 402, pid: 400 },
      // 10: the seed's put on a reference 400 never took (UNBALANCED_PUT): count 1.
      { type: 'TaskExited', tid: 400 },
      // 11: count 0: PASID 1 freed while 400's mm still has its bond on iax0, and the entry stays.
      { type: 'TaskExited', tid: 401 },
      // 12-13: a new process gets the lowest free value, 1, on dsa0.
      { type: 'ProcessCreated', pid: 500 },
      { type: 'DeviceBound', pid: 500, device: dsa0 },
      // 14: 500's bind on iax0 finds (iax0, 1) still pointing at 400's mm: PASID_ENTRY_BUSY.
      { type: 'DeviceBound', pid: 500, device: iax0 },
    ];
    expect(execAfterEnqcmd.slice(0, 8).map((e) => e.type)).toEqual([
      'ProcessCreated',
      'DeviceBound',
      'Enqcmd',
      'ProcessExec',
      'DeviceBound',
      'Enqcmd',
      'ThreadCreated',
      'Enqcmd',
    ]);
    await ok(
      t.url,
      'mutation Record($events: [LifecycleEventInput!]!) { recordEvents(system: "uaf-entries", events: $events) { version } }',
      { events },
      t.tokens.writer,
    );
    const table = 'entries { device pasid pid stale } devices { address entries { pasid pid stale } }';
    const data = await ok<{
      system: Record<`at${8 | 11 | 13 | 14}`, Record<string, unknown>>;
    }>(
      t.url,
      `{ system(name: "uaf-entries") {
           at8: state(at: 8) { pasids { pasid pid devices } ${table} }
           at11: state(at: 11) { pasids { pasid pid devices } ${table} hazards { code event pid pasid }
             bonds { pid device count pasid } }
           at13: state(at: 13) { pasids { pasid pid devices } ${table} }
           at14: state(at: 14) { ${table} hazards { code event pid device pasid } }
         } }`,
    );
    const { at8, at11, at13, at14 } = data.system;
    // Before the free: the one entry is the holder's, as version 1 had it.
    expect(at8).toEqual({
      pasids: [{ pasid: 1, pid: 400, devices: [iax0] }],
      entries: [{ device: iax0, pasid: 1, pid: 400, stale: false }],
      devices: [{ address: iax0, entries: [{ pasid: 1, pid: 400, stale: false }] }],
    });
    // PASID 1 is free, but the IOMMU still translates (iax0, 1) for 400's mm.
    expect(at11).toEqual({
      pasids: [],
      entries: [{ device: iax0, pasid: 1, pid: 400, stale: true }],
      devices: [{ address: iax0, entries: [{ pasid: 1, pid: 400, stale: true }] }],
      hazards: [
        { code: 'SIGSEGV', event: 6, pid: null, pasid: null },
        { code: 'UNBALANCED_PUT', event: 10, pid: 400, pasid: 1 },
        { code: 'PASID_FREED_WHILE_BOUND', event: 11, pid: 400, pasid: 1 },
      ],
      // The bond still carries the value it was made with, which 400's mm no longer holds.
      bonds: [{ pid: 400, device: iax0, count: 1, pasid: 1 }],
    });
    // Value 1 is 500's now (entry on dsa0), and (iax0, 1) still points at 400's mm.
    expect(at13).toEqual({
      pasids: [{ pasid: 1, pid: 500, devices: [dsa0] }],
      entries: [
        { device: dsa0, pasid: 1, pid: 500, stale: false },
        { device: iax0, pasid: 1, pid: 400, stale: true },
      ],
      devices: [
        { address: dsa0, entries: [{ pasid: 1, pid: 500, stale: false }] },
        { address: iax0, entries: [{ pasid: 1, pid: 400, stale: true }] },
      ],
    });
    expect(at14.entries).toEqual(at13.entries);
    expect((at14.hazards as unknown[]).at(-1)).toEqual({
      code: 'PASID_ENTRY_BUSY',
      event: 14,
      pid: 500,
      device: iax0,
      pasid: 1,
    });
  });

  it('answers /health with the database status', async () => {
    const response = await fetch(new URL('/health', t.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', database: { up: true } });
  });
});
