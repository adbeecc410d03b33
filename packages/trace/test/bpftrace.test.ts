import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWorkload, has, need, runsWith, runWorkload, tracefsAvailable } from './capture-support.js';
import { bare, collect, textSource } from './support.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tools/capture/pasid.bt');
const tmp = mkdtempSync(path.join(tmpdir(), 'pasid-bpftrace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bpftrace = has('bpftrace');
if (!bpftrace) {
  const why = 'bpftrace is not installed (Debian: apt-get install bpftrace)';
  if (process.env.CI) throw new Error(`CI needs bpftrace for the capture script's tests: ${why}`);
  console.warn(`skipping the bpftrace tests: ${why}`);
}
const root = process.getuid?.() === 0;

/**
 * Errors a kernel without SVA gives for the IOMMU half: its BTF has no struct iommu_sva, and
 * what follows from that. Anything else (a syntax error, an unknown builtin) is the script's.
 */
const KERNEL_LACKS =
  /Unknown struct\/union: 'struct (iommu_sva|iommu_mm_data)'|str\(\) expects an integer or a pointer type as first argument \(none provided\)/;

describe.runIf(bpftrace)('tools/capture/pasid.bt', () => {
  it.runIf(runsWith('root (bpftrace loads programs as root)', root))(
    'parses: bpftrace -d (dry run) gets through the parser; only missing kernel types stop it here',
    () => {
      need('root (bpftrace loads programs as root)', root);
      // bpftrace 0.17 (Debian 12) has no --dry-run; -d prints the AST after each pass and runs nothing.
      const run = spawnSync('bpftrace', ['-d', script], { encoding: 'utf8' });
      const output = `${run.stdout}\n${run.stderr}`;
      expect(output).toContain('AST after: parser');
      const errors = output.split('\n').filter((l) => /ERROR:/.test(l) && !/RLIMIT_MEMLOCK/.test(l));
      if (run.status !== 0) {
        console.warn(`pasid.bt: semantic analysis needs an SVA kernel; here: ${errors.join(' | ')}`);
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) expect(error).toMatch(KERNEL_LACKS);
      }
    },
  );

  it.runIf(runsWith('root (bpftrace loads programs as root)', root) && tracefsAvailable())(
    'captures a real workload with its tracepoint half, and pasid trace reads it',
    async () => {
      need('root (bpftrace loads programs as root)', root);
      // This kernel has no kprobe events and no SVA: keep the tracepoint probes, drop the k(ret)probes.
      const source = readFileSync(script, 'utf8');
      const tracepoints = source
        .replace(/^k(?:ret)?probe:[^\n]*\n(?:\/[^\n]*\/\n)?\{[\s\S]*?^\}\n/gm, '')
        .replace('BEGIN\n{\n', 'BEGIN\n{\n\t@opening[0] = 0;\n\t@binding[0] = 0;\n');
      expect(tracepoints).not.toMatch(/^kprobe|^kretprobe/m);
      const program = path.join(tmp, 'tracepoints.bt');
      writeFileSync(program, tracepoints);
      const workload = buildWorkload(tmp);
      const child = spawn('bpftrace', [program], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const started = Date.now();
      while (!/^TIME\s+CPU/m.test(stdout)) {
        if (Date.now() - started > 30_000 || child.exitCode !== null)
          throw new Error(`bpftrace did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const pids = runWorkload(workload);
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await exited;
      expect(stdout).toMatch(/^# pasid-capture boot_time=\d+\.\d+ boot_id=[0-9a-f-]{36}$/m);
      const { inputs, report } = await collect([textSource('pasid.txt', stdout, 1 << 16)]);
      expect(report.sources[0]?.kind).toBe('bpftrace');
      const ours = new Set([pids.main, pids.thread, pids.child]);
      expect(bare(inputs).filter((i) => [i.pid, i.tid].some((n) => ours.has(n as number)))).toEqual([
        { type: 'ProcessCreated', pid: pids.main },
        { type: 'ProcessExec', pid: pids.main },
        { type: 'ThreadCreated', tid: pids.thread, pid: pids.main },
        { type: 'TaskExited', tid: pids.thread },
        { type: 'ProcessCreated', pid: pids.child, parent: pids.main },
        { type: 'ProcessExec', pid: pids.child },
        { type: 'TaskExited', tid: pids.child },
        { type: 'TaskExited', tid: pids.main },
      ]);
      expect(inputs.every((i) => i.at !== undefined)).toBe(true);
    },
  );

  it.runIf(runsWith('root (bpftrace loads programs as root)', root) && tracefsAvailable())(
    "closes: an O_CLOEXEC fd's entry stops matching at exec, a kept fd's does not (@accel is never stale)",
    async () => {
      need('root (bpftrace loads programs as root)', root);
      // No idxd here: a file of the test's stands in for the accelerator (the open probe gates on it).
      const standIn = path.join(tmp, 'accel-stand-in');
      writeFileSync(standIn, '');
      const source = readFileSync(script, 'utf8');
      const program = source
        .replace(/^k(?:ret)?probe:[^\n]*\n(?:\/[^\n]*\/\n)?\{[\s\S]*?^\}\n/gm, '')
        .replace('BEGIN\n{\n', 'BEGIN\n{\n\t@opening[0] = 0;\n\t@binding[0] = 0;\n')
        .concat(
          `\ntracepoint:syscalls:sys_enter_openat\n/str(args->filename) == "${standIn}"/\n{\n\t@opening[tid] = 1;\n}\n`,
        );
      const file = path.join(tmp, 'closes.bt');
      writeFileSync(file, program);
      // fd A with O_CLOEXEC, fd B without; exec itself; the new image closes both numbers (A is gone).
      const c = path.join(tmp, 'cloexec.c');
      writeFileSync(
        c,
        [
          '#include <fcntl.h>',
          '#include <stdio.h>',
          '#include <stdlib.h>',
          '#include <unistd.h>',
          'int main(int argc, char **argv) {',
          '  if (argc == 4) { close(atoi(argv[2])); close(atoi(argv[3])); printf("%d\\n", getpid()); return 0; }',
          '  int a = open(argv[1], O_RDONLY | O_CLOEXEC), b = open(argv[1], O_RDONLY);',
          '  char sa[16], sb[16]; snprintf(sa, sizeof sa, "%d", a); snprintf(sb, sizeof sb, "%d", b);',
          '  execl("/proc/self/exe", argv[0], argv[1], sa, sb, (char *)0);',
          '  return 1;',
          '}',
        ].join('\n'),
      );
      const bin = path.join(tmp, 'cloexec');
      const cc = spawnSync('cc', ['-o', bin, c], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const child = spawn('bpftrace', [file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const started = Date.now();
      while (!/^TIME\s+CPU/m.test(stdout)) {
        if (Date.now() - started > 30_000 || child.exitCode !== null)
          throw new Error(`bpftrace did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const run = spawnSync(bin, [standIn], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const pid = Number(run.stdout.trim());
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      await exited;
      const facts = stdout
        .split('\n')
        .map((l) => l.split(/\s+/))
        .filter((f) => f[2] === String(pid) && /^(idxd_cdev_open|close)$/.test(f[4] ?? ''))
        .map((f) => f.slice(4).join(' '));
      const [a, b] = facts.map((f) => Number(/fd=(\d+)/.exec(f)?.[1]));
      // only the kept fd's close: the O_CLOEXEC one was closed by the exec, its number is not it
      expect(facts).toEqual([
        `idxd_cdev_open fd=${a} cloexec=1`,
        `idxd_cdev_open fd=${b} cloexec=0`,
        `close fd=${b}`,
      ]);
    },
  );
});
