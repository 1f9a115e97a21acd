import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

describe('offhours demo', () => {
  it('starts the simulators, a Redis of its own and the daemon, shows a transition, and stops on the signal', async () => {
    let out = '';
    let sawTransition: () => void = () => {};
    const transition = new Promise<void>((resolve) => (sawTransition = resolve));
    const code = await main(['demo'], {
      out: (text) => {
        out += text;
        if (/ accepted /.test(out)) sawTransition();
      },
      err: () => {},
      env: { OFFHOURS_PORT: '0', PATH: process.env.PATH },
      untilSignal: async () => {
        await transition;
        return 'SIGINT';
      },
    });
    expect(code).toBe(0);
    expect(out).toContain('redis-server started');
    expect(out).toMatch(/metrics: +curl http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(out).toMatch(/broker-\w+ +(start|stop) +accepted/);
  }, 90_000);
});
