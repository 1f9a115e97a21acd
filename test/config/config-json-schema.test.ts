import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/config-json-schema.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import { definitions } from './fake-definition.ts';

type Json = Record<string, any>;

describe('configJsonSchema', () => {
  const schema = JSON.parse(JSON.stringify(configJsonSchema(definitions))) as Json;

  it('is JSON Schema of the file, strict at the top level', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties)).toEqual(['timezone', 'redis', 'http', 'providers', 'schedules', 'idlePolicies', 'targets']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.http.properties.port).toMatchObject({ type: 'integer', default: 9464 });
  });

  it('describes every provider type, names as Redis-safe keys', () => {
    const providers = schema.properties.providers;
    expect(providers.propertyNames.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9._-]*$');
    expect(providers.additionalProperties.oneOf.map((option: Json) => option.properties.type.const)).toEqual(['fake', 'other']);
  });

  it('shows durations as the strings users write', () => {
    const fake = schema.properties.providers.additionalProperties.oneOf[0];
    for (const duration of [fake.properties.timeout, fake.properties.limits.properties.start.properties.per, schema.properties.idlePolicies.additionalProperties.oneOf[0].properties.for]) {
      expect(duration).toMatchObject({ type: 'string', examples: expect.arrayContaining(['30m']) });
      expect(new RegExp(duration.pattern).test('30m')).toBe(true);
      expect(new RegExp(duration.pattern).test('30 minutes')).toBe(false);
    }
  });

  it('is what config/offhours.schema.json holds (regenerate with node scripts/write-config-schema.ts)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../config/offhours.schema.json', import.meta.url), 'utf8')) as Json;
    expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema(providerDefinitions))));
  });
});
