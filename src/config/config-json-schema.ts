import { z } from 'zod';
import type { ProviderDefinition } from '../providers/provider.ts';
import { durationSchema } from '../util/duration.ts';
import { buildConfigSchema } from './config-schema.ts';

// Every duration field is durationSchema, possibly refined or defaulted (each a copy), but all copies
// share this input union, which is what identifies a duration while the JSON Schema is generated.
const durationInput = durationSchema.in;

/**
 * JSON Schema (draft 2020-12) of what a user writes, for editors (`# yaml-language-server: $schema=...`).
 * Durations show as the strings the docs use (`30m`); bare milliseconds still parse but are not advertised.
 */
export function configJsonSchema(definitions: readonly ProviderDefinition[]): Record<string, unknown> {
  const schema = z.toJSONSchema(buildConfigSchema(definitions), {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema !== durationInput) return;
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      Object.assign(jsonSchema, {
        type: 'string',
        pattern: '^\\d+(\\.\\d+)?(ms|s|m|h|d)$',
        description: 'duration: a number and a unit (ms, s, m, h, d)',
        examples: ['10s', '30m', '2h', '1d'],
      });
    },
  });
  return { ...schema, title: 'offhours configuration' };
}
