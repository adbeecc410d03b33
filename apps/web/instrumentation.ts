/** Next.js calls `register` once as the server starts: the environment is checked there. */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next.js's own marker, not a setting: the edge runtime has no process env to check.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { stopOnBadEnvironment } = await import('./lib/start-check');
  stopOnBadEnvironment();
}
