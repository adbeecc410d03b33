import type { Command } from 'commander';

// Placeholder wiring; the command is being written with the store (issue 3).
export function registerImport(program: Command): void {
  program.command('import').description('(not yet available)');
}
