import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../observability/logger.ts';
import { providerDefinitions } from '../providers/registry.ts';
import type { Simulator } from '../providers/simulator-kit.ts';
import { startDaemon } from '../main.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../util/embedded-redis.ts';
import { helpText, parseCommand, type CliIo, type CommandSpec } from './cli-io.ts';

export const demoSpec: CommandSpec = {
  name: 'demo',
  summary: 'simulators + a Redis of its own + the daemon on config/demo.yaml; watch transitions happen',
  usage: 'demo [--config FILE] [--port N] [--log-level LEVEL]',
  options: { config: { type: 'string', short: 'c', default: 'config/demo.yaml' }, port: { type: 'string' }, 'log-level': { type: 'string', default: 'warn' } },
  details: [
    'Starts one simulator per provider offhours knows (limit windows scaled 60x: an hour is a minute),',
    'a redis-server child process (or uses REDIS_URL), and the daemon; prints each transition as it happens.',
    'Ctrl-C stops everything.',
  ].join('\n'),
};

/** Each provider entry's baseUrl in demo.yaml is `${SIM_<TYPE>_URL}`; the simulators' URLs fill them in. */
export const simulatorEnvName = (type: string) => `SIM_${type.toUpperCase()}_URL`;

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(demoSpec, argv);
  if (values.help) return io.out(helpText(demoSpec)), 0;
  const logger = createLogger({ level: String(values['log-level']), name: 'offhours' });
  const env: Record<string, string | undefined> = { ...io.env };
  const simulators: Simulator[] = [];
  let redis: EmbeddedRedis | undefined;
  try {
    if (!env.REDIS_URL) {
      redis = await startEmbeddedRedis({ logger });
      env.REDIS_URL = redis.url;
      io.out(`redis-server started on ${redis.url}\n`);
    }
    for (const definition of providerDefinitions) {
      const simulator = definition.createSimulator({ timeScale: 60 });
      env[simulatorEnvName(definition.type)] = await simulator.start();
      simulators.push(simulator);
      io.out(`${definition.title} simulator on ${simulator.url}\n`);
    }
    const loaded = await loadConfig(String(values.config), { env, definitions: providerDefinitions });
    // every demo resource starts running, whatever the schedule says: the first minutes show it being corrected
    for (const target of loaded.targets) {
      const index = providerDefinitions.findIndex((d) => d.type === loaded.config.providers[target.provider]!.type);
      simulators[index]?.setState(target.resource, providerDefinitions[index]!.rawStates.running);
    }
    const daemon = await startDaemon({ loaded, logger, ...(values.port ? { httpPort: Number(values.port) } : {}) });
    const base = `http://127.0.0.1:${daemon.httpPort}`;
    io.out(`offhours is running ${loaded.targets.length} targets from ${values.config}\n`);
    io.out(`  metrics:  curl ${base}/metrics | grep offhours_transitions\n  status:   curl ${base}/api/status\n  Ctrl-C to stop\n\n`);

    let lastId = '0-0';
    const ticker = setInterval(() => {
      void daemon.store.auditAfter(lastId, 100).then((events) => {
        for (const event of events) {
          io.out(`${event.at}  ${event.target.padEnd(14)} ${(event.action ?? '').padEnd(5)} ${event.event.padEnd(10)} ${event.detail ?? event.reason}\n`);
          lastId = event.id;
        }
      }, () => {});
    }, 1_000);
    await (io.untilSignal ?? (() => new Promise<string>(() => {})))();
    clearInterval(ticker);
    io.out('stopping...\n');
    await daemon.stop();
    return 0;
  } finally {
    for (const simulator of simulators) await simulator.close();
    await redis?.stop();
  }
}

