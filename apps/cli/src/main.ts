import { Command, CommanderError } from 'commander';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerReplay } from './commands/replay.js';
import { registerVerify } from './commands/verify.js';

/** Runs the `pasid` command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('pasid')
    .description('PASID Ledger: record, replay and audit PASID lifecycles')
    .exitOverride()
    .showHelpAfterError();
  registerReplay(program);
  registerImport(program);
  registerExport(program);
  registerVerify(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`pasid: ${(error as Error).message}\n`);
    return 1;
  }
}
