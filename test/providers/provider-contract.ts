// The one suite every provider adapter passes against its own simulator. A provider's test file calls
// describeProviderContract with what differs (config shape, resource ids, already-in-state behaviour).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { pino } from 'pino';
import type { ProviderAdapter, ProviderCapabilities, ProviderCommonConfig, ProviderDefinition } from '../../src/providers/provider.ts';
import { ProviderError, type FailureClass } from '../../src/providers/provider-error.ts';
import type { SimulatorOptions, SimulatorServer } from '../../src/providers/simulator-kit.ts';

export interface ContractResource {
  id: string;
  /** the provider's own state string */
  raw: string;
}

export interface ProviderContractOptions<C extends ProviderCommonConfig> {
  definition: ProviderDefinition<C>;
  /** a fresh simulator per test */
  createSimulator(options: SimulatorOptions): SimulatorServer;
  /** what the simulator accepts (its `credentials` option) */
  credentials: Record<string, string>;
  /** what the simulator refuses */
  badCredentials: Record<string, string>;
  /** a provider entry as written in the config (parsed by definition.configSchema) */
  config(baseUrl: string, credentials: Record<string, string>): Record<string, unknown>;
  /** a running and a stopped resource the simulator starts with, and an id it does not know */
  resources: { running: ContractResource; stopped: ContractResource; missing: string };
  /**
   * Start on a running resource and stop on a stopped one, as PROVIDERS.md says the provider
   * answers: an `already` outcome, or an error of a class the caller resolves by reading the status.
   */
  alreadyInState: { kind: 'outcome' } | { kind: 'error'; failure: FailureClass };
  /** status reads the simulator allows in one window before it throttles */
  statusReadsBeforeThrottle: number;
  /**
   * false for a provider that documents no limits (UpCloud): its adapter must then declare none, and
   * the simulator throttles only through a switch. Default true.
   */
  documentsLimits?: boolean;
  switches?: SimulatorOptions['switches'];
  /** what an adapter built from `config` declares, when its options change it (default: the definition's) */
  capabilities?: ProviderCapabilities;
  /** more strings no error may contain (e.g. an encoded auth header); credential values are always checked */
  secrets?: string[];
}

export function describeProviderContract<C extends ProviderCommonConfig>(options: ProviderContractOptions<C>): void {
  const { definition, resources } = options;
  const secrets = [...Object.values(options.credentials), ...Object.values(options.badCredentials), ...(options.secrets ?? [])];

  describe(`${definition.type} provider contract`, () => {
    let sim: SimulatorServer;
    let dispatcher: Agent;
    let adapter: ProviderAdapter;

    function createAdapter(overrides: Record<string, unknown> = {}, credentials = options.credentials): ProviderAdapter {
      const config = definition.configSchema.parse({ ...options.config(sim.url, credentials), ...overrides });
      return definition.create('contract', config, { logger: pino({ level: 'silent' }), dispatcher });
    }

    async function expectFailure(call: Promise<unknown>, failure: FailureClass): Promise<ProviderError> {
      const error = await call.then(
        (value) => ({ succeeded: value }),
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ProviderError);
      const providerError = error as ProviderError;
      expect(providerError.failure).toBe(failure);
      expect(providerError.message).toMatch(/^\[contract\] /);
      const visible = [providerError.message, providerError.stack, providerError.code, JSON.stringify(providerError)].join('\n');
      for (const secret of secrets) expect(visible).not.toContain(secret);
      return providerError;
    }

    beforeEach(async () => {
      sim = options.createSimulator({
        credentials: options.credentials,
        resources: { [resources.running.id]: resources.running.raw, [resources.stopped.id]: resources.stopped.raw },
        timeScale: 1,
        transitionMs: 40,
        ...(options.switches ? { switches: options.switches } : {}),
      });
      await sim.start();
      dispatcher = new Agent();
      adapter = createAdapter();
    });

    afterEach(async () => {
      await adapter.close();
      await dispatcher.close();
      await sim.close();
    });

    it('declares its type, limits and capabilities', () => {
      expect(adapter.type).toBe(definition.type);
      expect(adapter.name).toBe('contract');
      if (options.documentsLimits === false) expect(adapter.limits).toEqual({});
      else expect(Object.keys(adapter.limits).length).toBeGreaterThan(0);
      expect(adapter.capabilities).toEqual(options.capabilities ?? definition.capabilities);
    });

    it('reads a running resource', async () => {
      await expect(adapter.status(resources.running.id)).resolves.toEqual({ state: 'running', raw: resources.running.raw });
    });

    it('reads a stopped resource', async () => {
      await expect(adapter.status(resources.stopped.id)).resolves.toEqual({ state: 'stopped', raw: resources.stopped.raw });
    });

    it('starts a stopped resource, which then runs', async () => {
      await expect(adapter.start(resources.stopped.id)).resolves.toMatchObject({ kind: 'accepted' });
      await sim.waitForState(resources.stopped.id, resources.running.raw);
      await expect(adapter.status(resources.stopped.id)).resolves.toEqual({ state: 'running', raw: resources.running.raw });
    });

    it('stops a running resource, which then is stopped', async () => {
      await expect(adapter.stop(resources.running.id)).resolves.toMatchObject({ kind: 'accepted' });
      await sim.waitForState(resources.running.id, resources.stopped.raw);
      await expect(adapter.status(resources.running.id)).resolves.toEqual({ state: 'stopped', raw: resources.stopped.raw });
    });

    for (const [action, resource, state] of [
      ['start', resources.running, 'running'],
      ['stop', resources.stopped, 'stopped'],
    ] as const) {
      it(`${action} on a resource already ${state} changes nothing and says so`, async () => {
        const expected = options.alreadyInState;
        if (expected.kind === 'outcome') {
          await expect(adapter[action](resource.id)).resolves.toMatchObject({ kind: 'already' });
        } else {
          await expectFailure(adapter[action](resource.id), expected.failure);
        }
        // The status read is how the caller tells "already there" from "busy".
        expect(sim.stateOf(resource.id)).toBe(resource.raw);
        await expect(adapter.status(resource.id)).resolves.toMatchObject({ state });
      });
    }

    it('reports the provider limit as throttled, never as success or a retryable error', async () => {
      for (let read = 0; read < options.statusReadsBeforeThrottle; read += 1) await adapter.status(resources.running.id);
      await expectFailure(adapter.status(resources.running.id), 'throttled');
      expect(sim.requests.at(-1)).toMatchObject({ limited: true });
    });

    it('reports refused credentials as auth, for reads and actions, and changes nothing', async () => {
      const refused = createAdapter({}, options.badCredentials);
      await expectFailure(refused.status(resources.running.id), 'auth');
      await expectFailure(refused.stop(resources.running.id), 'auth');
      expect(sim.stateOf(resources.running.id)).toBe(resources.running.raw);
      expect(sim.requests.every((request) => !request.authorized)).toBe(true);
    });

    it('reports an unknown resource as not-found', async () => {
      await expectFailure(adapter.status(resources.missing), 'not-found');
      await expectFailure(adapter.start(resources.missing), 'not-found');
    });

    it('reports a 503 as transient, and the next call succeeds', async () => {
      sim.injectFault({ kind: 'error', status: 503, count: 1 });
      const error = await expectFailure(adapter.status(resources.running.id), 'transient');
      expect(error.status).toBe(503);
      await expect(adapter.status(resources.running.id)).resolves.toMatchObject({ state: 'running' });
    });

    it('reports a dropped connection as transient', async () => {
      sim.injectFault({ kind: 'drop', count: 1 });
      await expectFailure(adapter.status(resources.running.id), 'transient');
      await expect(adapter.status(resources.running.id)).resolves.toMatchObject({ state: 'running' });
    });

    it('reports an answer slower than the timeout as transient', async () => {
      const impatient = createAdapter({ timeout: 50 });
      sim.injectFault({ kind: 'slow', delayMs: 60_000, count: 1 });
      const error = await expectFailure(impatient.status(resources.running.id), 'transient');
      expect(error.message).toContain('timed out');
    });

    it('never takes a malformed body for success', async () => {
      sim.injectFault({ kind: 'malformed', count: 2 });
      await expectFailure(adapter.status(resources.running.id), 'transient');
      await expectFailure(adapter.start(resources.stopped.id), 'transient');
    });
  });
}
