import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory, type InputEvent, writeHistory } from '@pasid/domain';
import { createTestDatabase, postgresAvailable, setLogHead, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pasid import/export/verify` as a user runs them: child processes of the built command.
const BIN = fileURLToPath(new URL('../bin/pasid.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../samples/worked-example.jsonl', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'pasid-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pasid(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', PASID_DATA_DIR: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function history(name: string, events: number): string {
  const inputs: InputEvent[] = [];
  for (const e of generateHistory({ policy: 'LAZY_REFCOUNT', maxPasid: 64, seed: 3 })) {
    inputs.push(e);
    if (inputs.length === events) break;
  }
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(
    file,
    [...writeHistory({ system: name, policy: 'LAZY_REFCOUNT', maxPasid: 64 }, inputs)].join(''),
  );
  return file;
}

describe('pasid import, export and verify on Postgres', async () => {
  const skip = !(await postgresAvailable('the CLI store tests'));
  let database: TestDatabase;
  let url = '';
  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase('cli');
    url = database.url;
  });
  afterAll(async () => {
    if (!skip) await database.drop();
  });

  it.skipIf(skip)('imports, exports the same history, verifies, and finds a tampered row', () => {
    const file = history('cli-node', 400);
    const imported = pasid(['import', file], { DATABASE_URL: url });
    expect(imported.stderr).toMatch(
      /^pasid import: .*cli-node\.jsonl: 400 events \([\d,]+ stored with the derived ones\) in [\d.]+ s \([\d,]+ events\/s\)\n$/,
    );
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^cli-node\nlast position \d+ \(version 400\)\n$/);
    const last = Number(/last position (\d+)/.exec(imported.stdout)?.[1]);
    expect(last).toBeGreaterThan(400);

    const exported = pasid(['export', 'cli-node'], { DATABASE_URL: url });
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe(readFileSync(file, 'utf8'));
    // The round trip carries the inputs of model version 2 (the generator makes them all).
    for (const text of ['"fd":', '"cloexec":true', '"FileClosed"', '"DmarFaultLogged"', '"reason":"0x59"']) {
      expect(exported.stdout).toContain(text);
    }

    const again = pasid(['import', file, '--system', 'cli-copy'], { DATABASE_URL: url });
    expect(again.status).toBe(0);
    expect(pasid(['export', 'cli-copy'], { DATABASE_URL: url }).stdout.split('\n').slice(1)).toEqual(
      exported.stdout.split('\n').slice(1),
    );

    const ok = pasid(['verify'], { DATABASE_URL: url });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/intact/);
    expect(pasid(['export', 'nope'], { DATABASE_URL: url }).status).toBe(1);
  });

  it.skipIf(skip)('prints its progress on stderr while a large file streams in', async () => {
    // Its own database: the other tests' verify need not walk these events.
    const own = await createTestDatabase('cli_progress');
    const file = history('cli-progress', 60_000);
    const imported = pasid(['import', file], { DATABASE_URL: own.url });
    await own.drop();
    expect(imported.status).toBe(0);
    const lines = imported.stderr.trimEnd().split('\n');
    // Off a terminal: a line as the first copy lands (then at most one every 2 s), and the totals.
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(
      /^pasid import: .*cli-progress\.jsonl: \d+% \([\d.]+ of [\d.]+ MB\), [\d,]+ events decided, [\d,]+ stored, [\d,]+ events\/s$/,
    );
    expect(lines.at(-1)).toMatch(/: 60,000 events \([\d,]+ stored with the derived ones\) in [\d.]+ s/);
  });

  it.skipIf(skip)('refuses a bad file with its line number and stores nothing', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      '{"system":"bad"}\n{"type":"ProcessCreated","pid":1}\n{"type":"FileClosed","pid":1}\n',
    );
    const result = pasid(['import', file], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.jsonl: line 3: .*fd/);
    expect(result.stdout).toBe('');
    const rows = await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM systems WHERE name = 'bad'`);
    expect(rows[0]?.n).toBe(0);
  });

  it.skipIf(skip)(
    'signs checkpoints, verifies them with the public key, and reports a re-signed log and a lost checkpoint',
    async () => {
      const operatorKey = join(dir, 'operator.pem');
      const keygen = pasid(['checkpoint', 'keygen', operatorKey], {});
      expect(keygen.status).toBe(0);
      expect(keygen.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      const publicKey = join(dir, 'operator.pub');
      writeFileSync(publicKey, keygen.stdout);
      expect(pasid(['checkpoint', 'public-key', '--key', operatorKey], {}).stdout).toBe(keygen.stdout);
      // The private key is never overwritten.
      expect(pasid(['checkpoint', 'keygen', operatorKey], {}).status).not.toBe(0);

      const signed = pasid(['checkpoint', 'sign'], { DATABASE_URL: url, PASID_CHECKPOINT_KEY: operatorKey });
      expect(signed.stderr).toBe('');
      expect(signed.stdout).toMatch(
        /^checkpoint 1 at position \d+ \(\d+ systems\), signed .* by sha256:\w+\n$/,
      );
      history('cli-later', 20);
      expect(pasid(['import', join(dir, 'cli-later.jsonl')], { DATABASE_URL: url }).status).toBe(0);
      const intact = pasid(['verify', '--checkpoints', publicKey], { DATABASE_URL: url });
      expect(intact.status).toBe(0);
      expect(intact.stdout).toMatch(/intact/);
      const unsigned =
        /checkpoints: 1 stored, 1 signed by sha256:\w+ compared with the log; signed up to position \d+ \(checkpoint 1, .*\); (\d+) events after it not signed yet/.exec(
          intact.stdout,
        );
      // The 20 inputs imported after the checkpoint, and what they implied.
      expect(Number(unsigned?.[1])).toBeGreaterThanOrEqual(20);

      // The auditor keeps the exported checkpoints; an attacker deletes them and signs with a key of their own.
      const kept = join(dir, 'kept.jsonl');
      const exported = pasid(['checkpoint', 'export'], { DATABASE_URL: url });
      expect(exported.status).toBe(0);
      writeFileSync(kept, exported.stdout);
      const attackerKey = join(dir, 'attacker.pem');
      expect(pasid(['checkpoint', 'keygen', attackerKey], {}).status).toBe(0);
      await sql(url, 'BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM checkpoints; COMMIT;');
      expect(pasid(['checkpoint', 'sign', '--key', attackerKey], { DATABASE_URL: url }).status).toBe(0);

      const forged = pasid(['verify', '--checkpoints', publicKey, '--kept', kept], { DATABASE_URL: url });
      expect(forged.status).toBe(1);
      expect(forged.stdout).toMatch(/CHECKPOINT checkpoint 1.*: not signed by this key/);
      // The kept copy of checkpoint 1 is not the one in the log any more.
      expect(forged.stdout).toMatch(
        /CHECKPOINT checkpoint 1, position \d+: replaced: the log's checkpoint seq 1 is not the one kept/,
      );
      expect(forged.stdout).toMatch(/2 breach\(es\)/);
      expect(pasid(['verify', '--kept', kept], { DATABASE_URL: url }).stderr).toMatch(
        /--kept needs --checkpoints/,
      );
    },
  );

  it.skipIf(skip)('exits 1 from verify when a superuser changed an event', async () => {
    await sql(
      url,
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE events SET actor = 'mallory' WHERE position = 3; COMMIT;`,
    );
    const result = pasid(['verify'], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/BREACH system cli-node, position 3, .*changed/);
  });
});

describe('pasid import and export on the embedded database', () => {
  it('imports a sample into PASID_DATA_DIR and exports it back', () => {
    const env = { PASID_DATA_DIR: join(dir, 'data') };
    const imported = pasid(['import', SAMPLE, '--system', 'sample'], env);
    expect(imported.stderr).toMatch(/^pasid import: .*worked-example\.jsonl: \d+ events .* in [\d.]+ s/);
    expect(imported.status).toBe(0);
    expect(imported.stdout.startsWith('sample\n')).toBe(true);
    const exported = pasid(['export', 'sample'], env);
    const original = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && l.includes('"type"'));
    const events = exported.stdout.split('\n').slice(1, -1);
    expect(events.map((l) => JSON.parse(l))).toEqual(original.map((l) => JSON.parse(l)));
    expect(pasid(['verify'], env).status).toBe(0);
  }, 60_000);
});

describe('pasid import and verify on a log past 2^53', async () => {
  const skip = !(await postgresAvailable('the CLI store tests'));
  let database: TestDatabase;
  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase('cli');
  });
  afterAll(async () => {
    if (!skip) await database.drop();
  });

  it.skipIf(skip)('prints every position to the last digit', async () => {
    // The first run migrates the empty database; then the head moves past 2^53.
    expect(pasid(['verify'], { DATABASE_URL: database.url }).status).toBe(0);
    const head = 2n ** 53n;
    await setLogHead({ query: (text, params) => sql(database.url, text, params) }, head);
    const imported = pasid(['import', SAMPLE], { DATABASE_URL: database.url });
    expect(imported.stderr).toMatch(/^pasid import: .*worked-example\.jsonl: 14 events \(37 stored/);
    const [{ n } = { n: '0' }] = await sql<{ n: string }>(database.url, 'SELECT count(*) AS n FROM events');
    expect(imported.stdout).toBe(`worked-example\nlast position ${head + BigInt(n)} (version 14)\n`);
    // The moved head leaves positions 1..2^53 missing: verify names the first one there is, exactly.
    const verified = pasid(['verify'], { DATABASE_URL: database.url });
    expect(verified.status).toBe(1);
    expect(verified.stdout + verified.stderr).toContain(`position ${head + 1n}`);
    expect(verified.stdout + verified.stderr).toContain(`removed: positions 1..${head} are missing`);
  });
});
