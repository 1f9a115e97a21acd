import { providerDefinition, providerDefinitions } from '../providers/registry.ts';
import { UsageError } from './cli-error.ts';
import { helpText, parseCommand, type CliIo, type CommandSpec } from './cli-io.ts';

export const simulateSpec: CommandSpec = {
  name: 'simulate',
  summary: "run one provider's simulator (same paths, auth, limits and transitions as the real API)",
  usage: 'simulate PROVIDER [--port N] [--host H] [--time-scale N] [--resource ID=STATE ...] [--switch NAME=VALUE ...]',
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'time-scale': { type: 'string', default: '1' },
    'transition': { type: 'string' },
    resource: { type: 'string', multiple: true },
    switch: { type: 'string', multiple: true },
  },
  details: [
    `providers: ${providerDefinitions.map((d) => d.type).join(', ')}`,
    'options:',
    '      --port N              listen port (default: any free one, printed)',
    '      --time-scale N        divide limit windows and transition times by N (60: an hour becomes a minute)',
    '      --transition MS       real-provider time a start/stop takes, in ms',
    '      --resource ID=STATE   a resource and its provider state string (repeatable)',
    '      --switch NAME=VALUE   play an unconfirmed reading of the API (repeatable; see README)',
    'Control endpoints: GET /_sim/requests, POST|DELETE /_sim/faults, GET /_sim/resources, PUT /_sim/resources/ID.',
  ].join('\n'),
};

function pairs(list: string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of list ?? []) {
    const index = item.indexOf('=');
    if (index <= 0) throw new UsageError(`--${option}: "${item}" should be NAME=VALUE`);
    result[item.slice(0, index)] = item.slice(index + 1);
  }
  return result;
}

export async function simulateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(simulateSpec, argv);
  if (values.help || positionals.length === 0) return io.out(helpText(simulateSpec)), values.help ? 0 : 1;
  const type = positionals[0]!;
  const definition = providerDefinition(type);
  if (!definition) throw new UsageError(`simulate: unknown provider "${type}" (one of ${providerDefinitions.map((d) => d.type).join(', ')})`);
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0)) throw new UsageError(`--time-scale: "${values['time-scale']}" must be a positive number`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${values.port}" is not a port number`);
  const simulator = definition.createSimulator({
    port,
    host: String(values.host),
    timeScale,
    ...(values.transition ? { transitionMs: Number(values.transition) } : {}),
    resources: pairs(values.resource as string[] | undefined, 'resource'),
    switches: pairs(values.switch as string[] | undefined, 'switch'),
  });
  const url = await simulator.start();
  io.out(`${definition.title} simulator listening on ${url} (time scale ${timeScale}); Ctrl-C stops it\n`);
  await (io.untilSignal ?? (() => new Promise<string>(() => {})))();
  await simulator.close();
  return 0;
}
