// Regenerates config/offhours.schema.json from the zod schemas: `node scripts/write-config-schema.ts` (Node 24).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/config-json-schema.ts';
import { providerDefinitions } from '../src/providers/registry.ts';

const target = fileURLToPath(new URL('../config/offhours.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(configJsonSchema(providerDefinitions), null, 2)}\n`);
console.log(`wrote ${target}`);
