import { env } from './env';

/**
 * A wrong setting stops the server (exit code 2) with the variable's name, instead of failing
 * pages: Next.js only logs an error thrown from `register` and keeps serving. Node-only, so it
 * lives apart from `instrumentation.ts`, which Next.js also compiles for the edge runtime (and
 * warns there about `process.exit`).
 */
export function stopOnBadEnvironment(): void {
  try {
    env();
  } catch (error) {
    console.error(`pasid-web: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
