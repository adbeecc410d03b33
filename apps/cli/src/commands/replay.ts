import type { Command } from 'commander';

// Placeholder wiring; the replay command is being written (issue 2).
export function registerReplay(program: Command): void {
  program.command('replay <file>').description('replay a history file in memory and print the final state');
}
