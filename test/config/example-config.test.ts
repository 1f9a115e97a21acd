import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';

const EXAMPLE = fileURLToPath(new URL('../../config/offhours.yaml', import.meta.url));
const ENV = { EMQX_KEY: 'example-key', EMQX_SECRET: 'example-secret-value' };

describe('config/offhours.yaml', () => {
  it('is valid with the real providers once its credentials are supplied', async () => {
    const { config, targets, schedules } = await loadConfig(EXAMPLE, { env: ENV, definitions: providerDefinitions });
    expect(config.providers['emqx-prod']).toMatchObject({ type: 'emqx', credentials: { key: 'example-key', secret: 'example-secret-value' } });
    expect(config.http.port).toBe(9464);
    expect(targets.map((target) => [target.name, target.providerType, target.scheduleName, target.enabled])).toEqual([
      ['staging-broker', 'emqx', 'office', true],
      ['load-test-broker', 'emqx', 'us-office', false],
    ]);
    expect(schedules.get('office')!.timezone).toBe('Europe/Berlin');
    expect(schedules.get('us-office')!.timezone).toBe('America/New_York');
  });

  it('names the credentials it is missing', async () => {
    const error = await loadConfig(EXAMPLE, { env: {}, definitions: providerDefinitions }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.path)).toEqual(['providers["emqx-prod"].credentials.key', 'providers["emqx-prod"].credentials.secret']);
  });
});
