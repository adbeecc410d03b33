import type { Client } from 'graphql-ws';
import { gql } from '../support/client.js';

/** What a careful writer does: resend the same batch (same ids) while the answer is retryable. */
export async function recordWithRetry(
  url: string,
  token: string,
  system: string,
  events: Record<string, unknown>[],
  retries: { count: number },
): Promise<{ events: { position: string }[]; idempotentReplay: boolean }> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const result = await gql<{
      recordEvents: { events: { position: string }[]; idempotentReplay: boolean };
    }>(
      url,
      `mutation($system: String!, $events: [LifecycleEventInput!]!) {
        recordEvents(system: $system, events: $events) { idempotentReplay events { position } }
      }`,
      { system, events },
      token,
    );
    if (result.data?.recordEvents) return result.data.recordEvents;
    const error = result.errors?.[0];
    if (error?.extensions?.retryable !== true) {
      throw new Error(`not retryable (HTTP ${result.status}): ${JSON.stringify(result.errors)}`);
    }
    retries.count += 1;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('still failing after 200 attempts');
}

/**
 * A subscriber that follows `eventAppended` and, whenever its subscription ends or fails, comes
 * back with the last position it saw, as the README tells clients to do.
 */
export function followLog(client: () => Client, system: string) {
  const positions: string[] = [];
  let stopped = false;
  let resumes = 0;
  let current: Client | null = null;
  const run = async () => {
    while (!stopped) {
      current = client();
      const after = positions.at(-1) ?? '0';
      await new Promise<void>((resolve) => {
        current?.subscribe<{ eventAppended: { position: string } }>(
          {
            query:
              'subscription($s: String, $after: Position) { eventAppended(system: $s, after: $after) { position } }',
            variables: { s: system, after },
          },
          {
            next: (value) => {
              const position = value.data?.eventAppended.position;
              if (position !== undefined) positions.push(position);
            },
            error: () => resolve(),
            complete: () => resolve(),
          },
        );
      });
      await current.dispose();
      if (!stopped) {
        resumes += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const running = run();
  return {
    positions,
    resumes: () => resumes,
    async stop() {
      stopped = true;
      await current?.dispose();
      await running;
    },
  };
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
