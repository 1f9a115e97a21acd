// The per-test plumbing of provider tests: each test gets its own undici Agent (no global dispatcher),
// a silent logger, and every server or mock it opened closed after it.
import { afterEach, beforeEach, vi } from 'vitest';
import { Agent, MockAgent } from 'undici';
import { pino, type Logger } from 'pino';
import type { ProviderDeps } from '../../src/providers/provider.ts';
import { createSimulatorServer, type SimReply, type SimulatorServer } from '../../src/providers/simulator-kit.ts';

export interface ProviderHarness {
  /** the running test's own Agent */
  readonly dispatcher: Agent;
  readonly logger: Logger;
  /** what an adapter is built with: the silent logger and the test's Agent */
  readonly deps: ProviderDeps;
  /** runs `close` after the test; the latest registered runs first */
  defer(close: () => Promise<void>): void;
  /** starts `server` (its `url` is then set) and closes it after the test */
  start<S extends SimulatorServer>(server: S): Promise<S>;
  /**
   * A started server answering each request with the next reply (the last one repeats): the provider
   * misbehaving in ways its simulator does not.
   */
  answering(...replies: SimReply[]): Promise<SimulatorServer>;
  /** a MockAgent that refuses the network, closed after the test */
  mockAgent(): MockAgent;
}

/** Registers the hooks of the enclosing file or describe block; call it once there, not inside a test. */
export function useProviderHarness(): ProviderHarness {
  const logger = pino({ level: 'silent' });
  const closers: (() => Promise<void>)[] = [];
  let agent: Agent | undefined;

  beforeEach(() => {
    agent = new Agent();
  });

  afterEach(async () => {
    // a test may have faked timers; closing servers and the Agent needs real ones
    vi.useRealTimers();
    for (const close of closers.splice(0).reverse()) await close();
    await agent?.close();
    agent = undefined;
  });

  const harness: ProviderHarness = {
    get dispatcher() {
      if (!agent) throw new Error('the provider harness has no dispatcher outside a test');
      return agent;
    },
    logger,
    get deps() {
      return { logger, dispatcher: harness.dispatcher };
    },
    defer(close) {
      closers.push(close);
    },
    async start(server) {
      closers.push(() => server.close());
      await server.start();
      return server;
    },
    async answering(...replies) {
      let next = 0;
      const server = createSimulatorServer({ type: 'fixed', options: {}, handle: () => replies[Math.min(next++, replies.length - 1)]! });
      return harness.start(server);
    },
    mockAgent() {
      const mock = new MockAgent();
      mock.disableNetConnect();
      closers.push(() => mock.close());
      return mock;
    },
  };
  return harness;
}
