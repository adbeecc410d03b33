import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TRACEFS = '/sys/kernel/tracing';
export const EVENTS = [
  'task:task_newtask',
  'sched:sched_process_exec',
  'sched:sched_process_exit',
  'msr:write_msr',
];

/**
 * Whether this machine lets us trace: tracefs mounted (mounting it when root may), the four
 * tracepoints there. Under CI a machine that cannot is a failure, never a silent skip.
 */
export function tracefsAvailable(): boolean {
  let reason: string | undefined;
  try {
    if (!existsSync(path.join(TRACEFS, 'instances'))) {
      execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: 'pipe' });
    }
    for (const event of EVENTS) {
      const [system, name] = event.split(':') as [string, string];
      if (!existsSync(path.join(TRACEFS, 'events', system, name))) reason = `no tracepoint ${event}`;
    }
  } catch (error) {
    reason = `tracefs cannot be mounted at ${TRACEFS}: ${(error as Error).message.split('\n')[0]}`;
  }
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`CI needs tracefs for the real-capture tests: ${reason}`);
  console.warn(`skipping the real-capture tests: ${reason}`);
  return false;
}

/** A private tracefs instance (its own ring buffer), so captures never see each other. */
export class TraceInstance {
  readonly dir: string;
  constructor(readonly name: string) {
    this.dir = path.join(TRACEFS, 'instances', name);
    mkdirSync(this.dir);
    this.write('trace_clock', 'mono');
    this.write('options/record-tgid', '1');
    for (const event of EVENTS) {
      const [system, name] = event.split(':') as [string, string];
      this.write(`events/${system}/${name}/enable`, '1');
    }
  }
  write(file: string, value: string): void {
    writeFileSync(path.join(this.dir, file), value);
  }
  on(): void {
    this.write('tracing_on', '1');
  }
  off(): void {
    this.write('tracing_on', '0');
  }
  text(): string {
    return readFileSync(path.join(this.dir, 'trace'), 'utf8');
  }
  remove(): void {
    // `trace-cmd extract -B` may have removed the instance already.
    if (!existsSync(this.dir)) return;
    this.off();
    for (const event of EVENTS) {
      const [system, name] = event.split(':') as [string, string];
      this.write(`events/${system}/${name}/enable`, '0');
    }
    rmdirSync(this.dir);
  }
}

/** The capture header line docs/capture.md tells people to write (boot id, boot time). */
export function captureHeader(): string {
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return `# pasid-capture boot_id=${bootId} boot_time=${(Date.now() / 1000 - uptime).toFixed(6)}`;
}

/** Compiles the workload with the system's C compiler into `dir`. */
export function buildWorkload(dir: string): string {
  const out = path.join(dir, 'workload');
  execFileSync('cc', ['-O1', '-pthread', '-o', out, path.join(here, 'workload.c')], { stdio: 'pipe' });
  return out;
}

export interface WorkloadPids {
  main: number;
  thread: number;
  child: number;
}

export function runWorkload(bin: string): WorkloadPids {
  const run = spawnSync(bin, [], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`workload failed: ${run.stderr}`);
  const [main, thread, child] = run.stdout.trim().split(' ').map(Number) as [number, number, number];
  return { main, thread, child };
}

export const has = (command: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * Whether a test that needs `what` runs: locally it is skipped (with a warning) without it; under
 * CI it runs and fails, saying what is missing, so a CI machine without the tool never passes.
 */
export function runsWith(what: string, present: boolean): boolean {
  if (present || process.env.CI) return true;
  console.warn(`skipping a test that needs ${what}`);
  return false;
}

/** In a test that `runsWith` let run: under CI without `what`, the failure that says so. */
export function need(what: string, present: boolean): void {
  if (!present) throw new Error(`CI needs ${what} for this test`);
}
