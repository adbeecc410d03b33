import type { EventStore, VerifyReport } from '@pasid/store';
import { mapped } from '../errors.js';
import type { SystemService } from '../system/system.service.js';

/** Runs long work within the server's bounds (see ops/work-gate.ts). */
export type LongWork = <T>(what: string, work: () => Promise<T>) => Promise<T>;

export class AuditService {
  constructor(
    private readonly store: EventStore,
    private readonly systems: SystemService,
    private readonly longWork: LongWork,
  ) {}

  verify(): Promise<VerifyReport> {
    return this.longWork('verifyLog', () => mapped(() => this.store.verify()));
  }

  /** The system's inputs as a history file (header first), as `pasid export` prints it. */
  async exportHistory(system: string): Promise<string> {
    await this.systems.get(system);
    return mapped(async () => {
      const lines: string[] = [];
      for await (const line of this.store.exportHistory(system))
        lines.push(line.endsWith('\n') ? line : `${line}\n`);
      return lines.join('');
    });
  }
}
