import type { InputEvent, Policy } from '@pasid/domain';
import type { CaptureInfo, Fact, TraceKind } from './fact.js';
import { DomainGate, type ModelGate } from './gate.js';
import { eventId, observedAt } from './ids.js';
import { type Interpreted, Interpreter } from './interpret.js';
import { TraceError, TraceReport } from './report.js';
import { DEFAULT_MAX_HELD, mergeByTime } from './sorter.js';
import { type Chunks, type OpenedSource, openSource } from './source.js';

export interface TraceSource {
  /** How the report and errors name it (a file name, or "-" for stdin). */
  name: string;
  chunks: Chunks;
}

export interface TraceOptions {
  /** Skip detection: every source is in this format. */
  format?: TraceKind;
  /** --boot-time, overriding capture headers. */
  bootTimeMs?: number;
  /** --boot-id, when the capture header has none. */
  bootId?: string;
  strict?: boolean;
  policy?: Policy;
  maxPasid?: number;
  /** The model that decides whether an input is taken (the domain, unless a test says else). */
  gate?: ModelGate;
  /**
   * Override every source's reorder window (ns) and the facts it may hold; how long a quiet
   * live source holds the others back (idleWindowMs, default DEFAULT_IDLE_WINDOW_MS) and the
   * clock it is measured with.
   */
  sorter?: { windowNs?: number; maxHeld?: number; idleWindowMs?: number; now?: () => number };
}

/**
 * A trace -> model inputs, the whole pipeline: readers (by content) -> one sorter merging sources
 * by time -> interpretation -> the domain's decision. Yields the inputs the model took, in
 * order, each with its `id` and (when the boot time is known) `at`; an empty batch while a live
 * source idles. Everything left out is counted in `report`; under `strict` the first line left
 * out throws a TraceError naming its file and line.
 */
export async function* traceInputs(
  sources: readonly TraceSource[],
  options: TraceOptions,
  report: TraceReport = new TraceReport(),
): AsyncGenerator<InputEvent[]> {
  const strict = options.strict ?? false;
  const info: CaptureInfo = {};
  if (options.bootTimeMs !== undefined) info.bootTimeMs = options.bootTimeMs;
  if (options.bootId !== undefined) info.bootId = options.bootId;
  const opened: OpenedSource[] = [];
  for (const [index, source] of sources.entries()) {
    opened.push(
      await openSource(source.name, index, source.chunks, { format: options.format, info, strict, report }),
    );
  }
  const gate = options.gate ?? new DomainGate({ policy: options.policy, maxPasid: options.maxPasid });
  const interpreter = new Interpreter();
  const fail = (fact: Fact, reason: string): never => {
    throw new TraceError((opened[fact.source] as OpenedSource).stats.name, fact.line, reason);
  };
  const merged = mergeByTime(
    opened.map((s) => ({ batches: s.facts, windowNs: options.sorter?.windowNs ?? s.reorderWindowNs })),
    {
      maxHeld: options.sorter?.maxHeld ?? DEFAULT_MAX_HELD,
      ...(options.sorter?.idleWindowMs === undefined ? {} : { idleWindowMs: options.sorter.idleWindowMs }),
      ...(options.sorter?.now === undefined ? {} : { now: options.sorter.now }),
      late(fact, releasedTs) {
        const reason = `out of order: ${fact.tsText} s is before ${(releasedTs / 1e9).toFixed(6)} s, already merged`;
        if (strict) fail(fact, reason);
        const stats = (opened[fact.source] as OpenedSource).stats;
        report.skip(stats, fact.line, 'out of order (earlier than lines already merged)', reason);
      },
    },
  );
  const bootIds = opened.map((s) => s.info.bootId ?? '');
  if (bootIds.some((id) => id === '')) report.withoutBootId = true;

  const admit = (item: Interpreted, out: InputEvent[]) => {
    const source = opened[item.fact.source] as OpenedSource;
    const stats = source.stats;
    if ('ignored' in item) {
      report.ignore(stats, item.ignored);
      return;
    }
    if ('skipped' in item) {
      if (strict) fail(item.fact, item.skipped);
      report.skip(stats, item.fact.line, item.skipped);
      return;
    }
    let input = item.input;
    let decision = gate.apply(input);
    if (decision.ok && item.adjusted)
      report.adjust(stats, item.fact.line, item.adjusted.reason, item.adjusted.example);
    if (
      decision.ok &&
      item.bindFailed !== undefined &&
      decision.derived !== undefined &&
      !decision.derived.includes('BindFailed')
    ) {
      // The model bound what the kernel could not: their PASID spaces or entries differ.
      report.adjust(
        stats,
        item.fact.line,
        "a bind the kernel failed was taken by the model (its PASID space is not the kernel's: --max-pasid?)",
        `DeviceBound of pid ${(input as { pid: number }).pid}: the kernel failed it (errno ${item.bindFailed}), the model bound it (is --max-pasid the machine's?)`,
      );
    }
    if (!decision.ok && input.type === 'ProcessCreated' && decision.field === 'parent') {
      // The parent started before the capture: the child is still a process, with no parent;
      // the report says so (the history's first events of it lack what the kernel knew).
      const { parent, ...orphan } = input;
      input = orphan;
      decision = gate.apply(input);
      if (decision.ok)
        report.adjust(
          stats,
          item.fact.line,
          'ProcessCreated taken without its parent (the model never saw the parent start)',
          `ProcessCreated of pid ${input.pid} taken without its parent: pid ${parent} is not a process the model knows (it started before the capture)`,
        );
    }
    if (!decision.ok) {
      if (
        input.type === 'FileClosed' &&
        source.stats.kind !== 'bpftrace' &&
        decision.code === 'FD_NOT_OPEN'
      ) {
        // The syscall tracepoint sees every close() of a process the model knows; the model
        // holds only accelerator files, so an fd it has no file for is another kind of file.
        // Any other rejection (a process the model does not know, a bad field) is reported.
        report.ignore(stats, 'close of an fd that is not an open accelerator file');
        return;
      }
      const reason = `${input.type} left out: the model rejects it (${decision.code})`;
      const example = `${input.type} left out: ${decision.message} (${decision.code})`;
      if (strict) fail(item.fact, example);
      report.skip(stats, item.fact.line, reason, example);
      return;
    }
    stats.used += 1;
    if (item.also) (opened[item.also.source] as OpenedSource).stats.used += 1;
    input.id = eventId(bootIds[item.fact.source] ?? '', stats.kind, item.fact);
    const bootTimeMs = source.info.bootTimeMs;
    if (bootTimeMs !== undefined) input.at = observedAt(bootTimeMs, item.fact.ts);
    else report.withoutAt += 1;
    out.push(input);
  };

  for await (const batch of merged) {
    const out: InputEvent[] = [];
    for (const fact of batch) for (const item of interpreter.take(fact)) admit(item, out);
    if (out.length > 0 || batch.length === 0) yield out;
  }
  const last: InputEvent[] = [];
  for (const item of interpreter.end()) admit(item, last);
  if (last.length > 0) yield last;
}
