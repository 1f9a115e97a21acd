import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../observability/logger.ts';
import { providerDefinitions } from '../providers/registry.ts';
import { startDaemon } from '../main.ts';
import { configOption, helpText, parseCommand, type CliIo, type CommandSpec } from './cli-io.ts';

export const runSpec: CommandSpec = {
  name: 'run',
  summary: 'run the daemon: schedules -> queued actions -> provider calls, inside every limit',
  usage: 'run [--config FILE] [--port N] [--log-level LEVEL]',
  options: { ...configOption, port: { type: 'string' }, 'log-level': { type: 'string' } },
  details: [
    'options:',
    '  -c, --config FILE     config (default config/offhours.yaml)',
    '      --port N          HTTP port for /metrics, /healthz, /readyz, /api (default: http.port, 9464)',
    '      --log-level LEVEL trace, debug, info (default), warn, error; or LOG_LEVEL',
    'SIGTERM or Ctrl-C stops gracefully (running jobs finish); a second one exits at once.',
  ].join('\n'),
};

export async function runCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(runSpec, argv);
  if (values.help) return io.out(helpText(runSpec)), 0;
  const logger = createLogger({ level: (values['log-level'] as string | undefined) ?? io.env.LOG_LEVEL ?? 'info', name: 'offhours' });
  const loaded = await loadConfig(String(values.config), { env: io.env, definitions: providerDefinitions, now });
  for (const warning of loaded.warnings) logger.warn(`config: ${warning}`);
  const daemon = await startDaemon({ loaded, logger, ...(values.port ? { httpPort: Number(values.port) } : {}) });
  const signal = await (io.untilSignal ?? (() => new Promise<string>(() => {})))();
  logger.info({ signal }, 'stopping');
  await daemon.stop();
  return 0;
}
