#!/usr/bin/env node
/**
 * `npm run backup -- <folder>`: every system's history (`pasid export` of each) into <folder>,
 * one `<system>.jsonl` per system plus `manifest.json` (names, policies, versions, event counts,
 * the verify report at backup time). Refuses to back up a log that fails verification.
 * DATABASE_URL, else the embedded database in PASID_DATA_DIR (stop the app first: the embedded
 * database is opened by one process at a time). For a byte-exact copy (actors, recorded times,
 * hashes) use pg_dump: see docs/operations.md.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileNameOf, openStoreFromEnv } from './lib/store-from-env.mjs';

const folder = process.argv[2];
if (!folder || folder.startsWith('-')) {
  console.error('usage: npm run backup -- <folder>   (an empty or new folder)');
  process.exit(2);
}
await mkdir(folder, { recursive: true });
if ((await readdir(folder)).length > 0) {
  console.error(`pasid-backup: ${folder} is not empty; give a new folder`);
  process.exit(2);
}

const { store, where } = await openStoreFromEnv('pasid-backup');
try {
  const report = await store.verify();
  if (!report.ok) {
    console.error(`pasid-backup: the log in ${where} fails verification; nothing written:`);
    for (const b of report.breaches) console.error(`  ${b.system} position ${b.position}: ${b.reason}`);
    process.exitCode = 1;
  } else {
    const systems = await store.listSystems();
    const manifest = {
      format: 'pasid-backup/1',
      createdAt: new Date().toISOString(),
      verify: { eventsChecked: report.eventsChecked, systemsChecked: report.systemsChecked },
      systems: [],
    };
    for (const system of systems) {
      const file = fileNameOf(system.name);
      const out = createWriteStream(path.join(folder, file));
      for await (const line of store.exportHistory(system.name)) {
        if (!out.write(line)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      manifest.systems.push({
        name: system.name,
        file,
        policy: system.policy,
        maxPasid: system.maxPasid,
        version: system.version,
        eventCount: system.eventCount,
      });
      console.log(`pasid-backup: ${system.name}: ${system.version} inputs -> ${file}`);
    }
    await writeFile(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`pasid-backup: ${systems.length} systems from ${where} into ${folder} (log verified intact)`);
  }
} finally {
  await store.close();
}
