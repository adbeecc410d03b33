/**
 * Next.js calls `register` once as the server starts: checking the environment here makes a wrong
 * setting stop the server (exit code 2) with the variable's name, instead of failing pages.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next.js's own marker, not a setting: the edge runtime has no process env to check.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { env } = await import('./lib/env');
  try {
    env();
  } catch (error) {
    // Next.js only logs an error thrown here and keeps serving: stop instead.
    console.error(`pasid-web: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
