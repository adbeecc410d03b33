#!/usr/bin/env node
/**
 * `npm run restore -- <folder>`: imports every history of a backup (`npm run backup`) into the
 * database the environment names, which must not hold those systems yet, then checks that each
 * system is back at its backed-up version and event count, and that the whole log verifies.
 * Each system is imported all or nothing (`pasid import`). The restored events are recorded
 * again: same inputs, same derived events and state, new positions, recorded times and hashes,
 * actor `restore`.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openStoreFromEnv } from './lib/store-from-env.mjs';

const folder = process.argv[2];
if (!folder || folder.startsWith('-')) {
  console.error('usage: npm run restore -- <folder>   (made by npm run backup)');
  process.exit(2);
}
let manifest;
try {
  manifest = JSON.parse(await readFile(path.join(folder, 'manifest.json'), 'utf8'));
} catch (error) {
  console.error(`pasid-restore: ${folder}/manifest.json: ${error.message}`);
  process.exit(2);
}
if (manifest.format !== 'pasid-backup/1') {
  console.error(`pasid-restore: ${folder}/manifest.json: unknown format ${JSON.stringify(manifest.format)}`);
  process.exit(2);
}

const { store, where } = await openStoreFromEnv('pasid-restore');
try {
  const present = new Set((await store.listSystems()).map((s) => s.name));
  const clash = manifest.systems.filter((s) => present.has(s.name)).map((s) => s.name);
  if (clash.length > 0) {
    console.error(`pasid-restore: ${where} already holds ${clash.join(', ')}; nothing restored`);
    process.exitCode = 1;
  } else {
    const problems = [];
    for (const entry of manifest.systems) {
      const result = await store.importHistory(createReadStream(path.join(folder, entry.file)), {
        system: entry.name,
        actor: 'restore',
      });
      const info = await store.getSystem(entry.name);
      if (result.version !== entry.version || info?.eventCount !== entry.eventCount) {
        problems.push(
          `${entry.name}: backed up at version ${entry.version} with ${entry.eventCount} events, restored at ${result.version} with ${info?.eventCount}`,
        );
      }
      console.log(`pasid-restore: ${entry.name}: ${result.version} inputs`);
    }
    const report = await store.verify();
    if (!report.ok) problems.push(`the restored log fails verification (${report.breaches.length} breaches)`);
    if (problems.length > 0) {
      for (const p of problems) console.error(`pasid-restore: ${p}`);
      process.exitCode = 1;
    } else {
      console.log(
        `pasid-restore: ${manifest.systems.length} systems into ${where}; ${report.eventsChecked} events verified intact`,
      );
    }
  }
} finally {
  await store.close();
}
