import type { Command } from 'commander';

// Placeholder wiring; the command is being written with the store (issue 3).
export function registerVerify(program: Command): void {
  program.command('verify').description('(not yet available)');
}
