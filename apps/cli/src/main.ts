import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: `pasid replay` must not pay for loading the
 * store and Prisma (about 1.4 s of start-up), so a known command name loads just its module.
 */
const commands: Record<string, () => Promise<Register>> = {
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  import: async () => (await import('./commands/import.js')).registerImport,
  export: async () => (await import('./commands/export.js')).registerExport,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  checkpoint: async () => (await import('./commands/checkpoint.js')).registerCheckpoint,
  trace: async () => (await import('./commands/trace.js')).registerTrace,
};

/** Runs the `pasid` command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('pasid')
    .description('PASID Ledger: record, replay and audit PASID lifecycles')
    .exitOverride()
    .showHelpAfterError();
  const name = argv[2];
  const wanted = name !== undefined && Object.hasOwn(commands, name) ? [name] : Object.keys(commands);
  for (const command of wanted) (await commands[command]!())(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`pasid: ${(error as Error).message}\n`);
    // An unusable data folder (the store's DataDirError, matched by name: importing the store
    // here would load Prisma for `pasid replay` too) is a setting to fix, like a wrong argument.
    return (error as Error).name === 'DataDirError' ? 2 : 1;
  }
}
