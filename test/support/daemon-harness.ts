// The daemon end to end in a test: real Redis, the EMQX simulator with its hour scaled to 3 s, and every
// simulator, daemon and client a test opened closed after it, the latest first.
import pino from 'pino';
import { afterEach } from 'vitest';
import { loadConfigText, type LoadedConfig } from '../../src/config/load-config.ts';
import { startDaemon, type Daemon } from '../../src/main.ts';
import { createEmqxSimulator } from '../../src/providers/emqx/emqx-simulator.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';

/** EMQX's hour becomes 3 s: one start and one stop per 3 s, 60 status reads per 3 s. */
export const EMQX_TIME_SCALE = 1200;
export const EMQX_WINDOW_MS = 3_000;

export interface DaemonHarness {
  /** runs `close` after the test; the latest registered runs first */
  defer(close: () => Promise<void>): void;
  /** a started EMQX simulator on the scaled hour with `resources`, closed after the test */
  emqxSimulator(resources: Record<string, string>): Promise<SimulatorServer>;
  /**
   * A daemon on `loaded` (no HTTP server, overrides read every 100 ms), stopped after the test unless
   * the test stopped it.
   */
  daemon(loaded: LoadedConfig): Promise<Daemon>;
}

/** Parses a test's config text with every provider known; `file` names it in errors. */
export function loadTestConfig(yaml: string, file = 'test.yaml'): LoadedConfig {
  return loadConfigText(yaml, { file, env: {}, definitions: providerDefinitions });
}

/** Registers the cleanup hook of the enclosing file or describe block; call it once there, not inside a test. */
export function useDaemonHarness(): DaemonHarness {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  return {
    defer(close) {
      cleanup.push(close);
    },
    async emqxSimulator(resources) {
      const sim = createEmqxSimulator({ timeScale: EMQX_TIME_SCALE, transitionMs: 60_000, resources });
      await sim.start();
      cleanup.push(() => sim.close());
      return sim;
    },
    async daemon(loaded) {
      const daemon = await startDaemon({ loaded, logger: pino({ level: 'silent' }), http: false, overrideRefreshMs: 100 });
      const stop = daemon.stop;
      let stopped = false;
      cleanup.push(async () => {
        if (!stopped) await stop();
      });
      return Object.assign(daemon, {
        stop: async () => {
          stopped = true;
          await stop();
        },
      });
    },
  };
}
