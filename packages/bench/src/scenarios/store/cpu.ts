import { readFile } from 'node:fs/promises';
import type pg from 'pg';

/**
 * Where an append's time goes: the CPU this process and one database's server backends spent
 * while `fn` ran, in ms. The server's share is read from /proc (the bench's Postgres runs on this
 * machine; elsewhere it is null), for that database's client backends only, so other databases'
 * work on a shared server does not count. /proc counts in USER_HZ ticks, 100 a second on Linux.
 */
export interface CpuSpent {
  node: number;
  postgres: number | null;
}

const TICK_MS = 10;

async function backendTicks(admin: pg.Pool, database: string): Promise<Map<number, number> | null> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
     WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    [database],
  );
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      return null;
    }
  }
  return ticks;
}

export async function cpuSpent<T>(
  admin: pg.Pool,
  database: string,
  fn: () => Promise<T>,
): Promise<{ result: T; spent: CpuSpent }> {
  const before = await backendTicks(admin, database);
  const start = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(start);
  const after = await backendTicks(admin, database);
  let postgres: number | null = null;
  if (before && after) {
    postgres = 0;
    // A backend that started meanwhile counts from zero; one that ended is lost (pools keep theirs).
    for (const [pid, t] of after) postgres += (t - (before.get(pid) ?? 0)) * TICK_MS;
  }
  return { result, spent: { node: (used.user + used.system) / 1000, postgres } };
}
