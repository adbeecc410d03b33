import type { Command } from 'commander';

// Placeholder wiring; the command is being written with the store (issue 3).
export function registerExport(program: Command): void {
  program.command('export').description('(not yet available)');
}
