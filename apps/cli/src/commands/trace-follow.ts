import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InputEvent } from '@pasid/domain';
import { DomainGate, type TraceReport, type TraceSource, traceInputs } from '@pasid/trace';
import { checkOptions, type TraceCommandOptions, UsageError } from './trace-options.js';

/**
 * `pasid trace --follow`: a live trace into a running API. The trace is read as it grows, its
 * inputs go to `recordEvents` in batches, and a restart of either side neither duplicates nor
 * loses an event:
 * - the follower asks the API how many inputs the system holds (its version, and the last one's
 *   id) and, re-reading a file from its start, skips that many (checking the last id matches);
 *   a pipe cannot be re-read, so the follower replays the API's history into its own model and
 *   records what the pipe brings from then on;
 * - a batch whose answer is lost is sent again as it was (same ids, same expected version): the
 *   API answers an idempotent replay when it had stored it.
 */
export interface FollowOptions extends TraceCommandOptions {
  api?: string;
  key?: string;
  batch?: string;
}

const IDLE_MS = 200;

class Api {
  constructor(
    readonly url: string,
    private readonly key: string,
    private readonly signal: AbortSignal,
  ) {}

  /** One GraphQL request, retried while the API is away (restarting, 5xx); GraphQL errors throw. */
  async request<T>(
    query: string,
    variables: Record<string, unknown>,
    onRetry?: (why: string) => void,
  ): Promise<T> {
    let delay = 200;
    for (;;) {
      let why: string;
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.any([this.signal, AbortSignal.timeout(30_000)]),
        });
        const body = (await response.json().catch(() => undefined)) as
          | { data?: T; errors?: { message: string; extensions?: { code?: string } }[] }
          | undefined;
        const error = body?.errors?.[0];
        if (error && response.status < 500 && error.extensions?.code !== 'SERVICE_UNAVAILABLE') {
          throw new ApiRefused(error.message, error.extensions?.code ?? String(response.status));
        }
        if (body?.data && !error) return body.data;
        why = `HTTP ${response.status}${error ? `: ${error.message}` : ''}`;
      } catch (error) {
        if (error instanceof ApiRefused) throw error;
        if (this.signal.aborted) throw new Stopped();
        why = (error as Error).cause
          ? String((error as { cause: Error }).cause.message)
          : (error as Error).message;
      }
      onRetry?.(why);
      await sleep(delay, undefined, { signal: this.signal }).catch(() => {
        throw new Stopped();
      });
      delay = Math.min(delay * 2, 2000);
    }
  }
}

class Stopped extends Error {}

/** A GraphQL error the API answered: retrying would not help. */
class ApiRefused extends UsageError {
  constructor(
    reason: string,
    readonly code: string,
  ) {
    super(`the API refused: ${reason} (${code})`);
  }
}

/** A file read as it grows: its bytes, then an empty chunk each time it has nothing new. */
async function* growingFile(file: string, signal: AbortSignal): AsyncGenerator<Uint8Array | string> {
  const handle = await open(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let position = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield Buffer.from(buffer.subarray(0, bytesRead));
        continue;
      }
      if (signal.aborted) return; // stopped after reading everything written so far
      yield '';
      await sleep(IDLE_MS, undefined, { signal }).catch(() => {});
    }
  } finally {
    await handle.close();
  }
}

/** A pipe (stdin or a FIFO): its chunks, and an empty chunk whenever it is quiet for a moment. */
async function* pipe(
  stream: NodeJS.ReadableStream,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array | string> {
  const queue: (Uint8Array | null)[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Uint8Array | null) => {
    queue.push(item);
    wake?.();
  };
  stream.on('data', (chunk: Buffer) => push(chunk));
  stream.on('end', () => push(null));
  signal.addEventListener('abort', () => push(null), { once: true });
  for (;;) {
    if (queue.length === 0) {
      const arrived = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const quiet = await Promise.race([arrived.then(() => false), sleep(IDLE_MS).then(() => true)]);
      wake = undefined;
      if (quiet) {
        yield '';
        continue;
      }
    }
    const item = queue.shift();
    if (item === null || item === undefined) return;
    yield item;
  }
}

const SYSTEM = `query ($name: String!) { system(name: $name) { version } }`;
const CREATE = `mutation ($input: CreateSystemInput!) { createSystem(input: $input) { version } }`;
const EXPORT = `query ($name: String!) { exportHistory(system: $name) }`;
const RECORD = `mutation ($system: String!, $expectedVersion: Int, $events: [LifecycleEventInput!]!) {
  recordEvents(system: $system, expectedVersion: $expectedVersion, events: $events) { version idempotentReplay }
}`;

export async function followTrace(
  files: string[],
  options: FollowOptions,
  report: TraceReport,
): Promise<void> {
  const checked = checkOptions(options);
  if (!options.api) throw new UsageError("--follow needs --api URL (the API's /graphql address)");
  if (!options.key) throw new UsageError('--follow needs --key KEY (an API key with the writer role)');
  if (!options.system) throw new UsageError('--follow needs --system NAME (the system to record into)');
  const batchSize = Number(options.batch ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UsageError(`--batch must be a positive integer, got "${options.batch}"`);
  const system = options.system;

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const api = new Api(options.api, options.key, controller.signal);
  const progress = new Progress();

  try {
    const found = await api
      .request<{ system: { version: number } | null }>(SYSTEM, { name: system }, progress.waiting)
      .catch((error: unknown) => {
        if (error instanceof ApiRefused && error.code === 'NOT_FOUND') return { system: null };
        throw error;
      });
    let version = found.system?.version ?? 0;
    if (!found.system) {
      await api.request(
        CREATE,
        {
          input: {
            name: system,
            ...(checked.policy ? { policy: checked.policy } : {}),
            ...(checked.maxPasid ? { maxPasid: checked.maxPasid } : {}),
          },
        },
        progress.waiting,
      );
    }
    const piped = await Promise.all(files.map(async (f) => f === '-' || (await stat(f)).isFIFO()));
    const rereadable = piped.every((p) => !p);
    const gate = new DomainGate({ policy: checked.policy, maxPasid: checked.maxPasid });
    let skip = 0;
    let lastStoredId: string | undefined;
    if (version > 0) {
      const { exportHistory } = await api.request<{ exportHistory: string }>(
        EXPORT,
        { name: system },
        progress.waiting,
      );
      const stored = exportHistory
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l) as InputEvent);
      if (rereadable) {
        skip = version;
        lastStoredId = stored.at(-1)?.id;
      } else {
        // A pipe starts where it is now: the model must know what the API already holds.
        for (const input of stored) gate.apply(input);
      }
    }
    const sources: TraceSource[] = files.map((file, i) => ({
      name: file,
      chunks: piped[i]
        ? pipe(file === '-' ? process.stdin : createReadStream(file), controller.signal)
        : growingFile(file, controller.signal),
    }));
    let pending: InputEvent[] = [];
    let seen = 0;
    const send = async () => {
      while (pending.length > 0) {
        const events = pending.slice(0, batchSize);
        const result = await api.request<{ recordEvents: { version: number; idempotentReplay: boolean } }>(
          RECORD,
          { system, expectedVersion: version, events },
          progress.waiting,
        );
        version = result.recordEvents.version;
        pending = pending.slice(events.length);
        progress.recorded(events.length, version, report);
      }
    };
    for await (const batch of traceInputs(sources, { ...checked, strict: options.strict, gate }, report)) {
      for (const input of batch) {
        seen += 1;
        if (seen <= skip) {
          if (seen === skip && lastStoredId !== undefined && input.id !== lastStoredId) {
            throw new UsageError(
              `system ${system} holds another history: its input ${skip} has id ${lastStoredId}, this trace's has ${input.id}`,
            );
          }
          continue;
        }
        pending.push(input);
      }
      if (pending.length >= batchSize || (batch.length === 0 && pending.length > 0)) await send();
    }
    if (seen < skip) {
      throw new UsageError(
        `system ${system} holds ${skip} inputs, this trace gives only ${seen}: another trace?`,
      );
    }
    await send();
    progress.done(version, report);
  } catch (error) {
    if (error instanceof Stopped) {
      progress.done(
        undefined,
        report,
        'stopped while the API was away: a restart resumes where the API stopped',
      );
      return;
    }
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The progress line on stderr: rewritten in place on a terminal, every 2 s otherwise. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private last = 0;
  private total = 0;

  readonly waiting = (why: string) => {
    process.stderr.write(
      `${this.tty ? '\r\x1b[K' : ''}pasid trace: waiting for the API (${why})${this.tty ? '' : '\n'}`,
    );
  };

  recorded(n: number, version: number, report: TraceReport): void {
    this.total += n;
    const now = Date.now();
    if (!this.tty && now - this.last < 2000) return;
    this.last = now;
    process.stderr.write(`${this.tty ? '\r\x1b[K' : ''}${this.line(version, report)}${this.tty ? '' : '\n'}`);
  }

  done(version: number | undefined, report: TraceReport, note?: string): void {
    process.stderr.write(
      `${this.tty ? '\r\x1b[K' : ''}${this.line(version, report)}${note ? `; ${note}` : ''}\n`,
    );
  }

  private line(version: number | undefined, report: TraceReport): string {
    const lines = report.sources.reduce((n, s) => n + s.lines, 0);
    return `pasid trace: ${this.total} events recorded${version === undefined ? '' : ` (system at version ${version})`}, ${lines} lines read, ${report.skippedTotal} skipped`;
  }
}
