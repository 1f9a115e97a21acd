// costPerHour: on a target, or as the default of a provider entry's targets; the basis of the savings estimate.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import { definitions } from './fake-definition.ts';

const config = (providerCost: string, targetCost: string) => `
providers:
  main:
    type: fake
    credentials: { token: tk-one }
    ${providerCost}
schedules:
  on: always
targets:
  - { name: priced, provider: main, resource: r-1, schedule: on, ${targetCost} }
  - { name: inherits, provider: main, resource: r-2, schedule: on }
`;

const load = (text: string) => loadConfigText(text, { file: 'test.yaml', env: {}, definitions });
const costs = (text: string) => Object.fromEntries(load(text).targets.map((target) => [target.name, target.costPerHour]));

describe('costPerHour', () => {
  it('is taken from the target, else from its provider entry, else absent', () => {
    expect(costs(config('costPerHour: 0.5', 'costPerHour: 2.25'))).toEqual({ priced: 2.25, inherits: 0.5 });
    expect(costs(config('', 'costPerHour: 3'))).toEqual({ priced: 3, inherits: undefined });
    expect(load(config('costPerHour: 0.5', 'enabled: true')).config.providers.main).toMatchObject({ type: 'fake', costPerHour: 0.5 });
  });

  it('must be a number of zero or more, on a target and on a provider entry', () => {
    const error = (() => {
      try {
        load(config('costPerHour: -1', 'costPerHour: "2 EUR"'));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.path).sort()).toEqual(['providers.main.costPerHour', 'targets[0].costPerHour']);
  });

  it('joins every real provider type without loosening its strictness or its own checks', () => {
    for (const definition of providerDefinitions) {
      const entry = { type: definition.type, costPerHour: 1, notAnOption: true };
      const problems = (() => {
        try {
          loadConfigText(JSON.stringify({ providers: { p: entry } }), { file: 'x.json', env: {}, definitions: providerDefinitions });
          return [];
        } catch (caught) {
          return (caught as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
        }
      })();
      expect(problems.some((problem) => problem.includes('notAnOption')), definition.type).toBe(true);
      expect(problems.some((problem) => problem.includes('costPerHour')), definition.type).toBe(false);
    }
  });
});
