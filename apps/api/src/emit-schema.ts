import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildApiSchema, printApiSchema } from './schema.js';

/** `npm run schema -w @pasid/api`: writes apps/api/schema.graphql from the resolvers. */
const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
await writeFile(target, printApiSchema(await buildApiSchema()));
console.log(`wrote ${target}`);
