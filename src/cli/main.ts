import { isConfigError } from '../config/config-error.ts';
import { UsageError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { checkCommand, checkSpec } from './check-command.ts';
import { demoCommand, demoSpec } from './demo-command.ts';
import { evalCommand, evalSpec } from './eval-command.ts';
import { overrideCommand, overrideSpec } from './override-command.ts';
import { planCommand, planSpec } from './plan-command.ts';
import { runCommand, runSpec } from './run-command.ts';
import { simulateCommand, simulateSpec } from './simulate-command.ts';
import { statusCommand, statusSpec } from './status-command.ts';

const COMMANDS = [
  { spec: runSpec, run: (argv: string[], io: CliIo) => runCommand(argv, io, new Date()) },
  { spec: checkSpec, run: (argv: string[], io: CliIo) => checkCommand(argv, io, new Date()) },
  { spec: planSpec, run: (argv: string[], io: CliIo) => planCommand(argv, io, new Date()) },
  { spec: evalSpec, run: (argv: string[], io: CliIo) => evalCommand(argv, io, new Date()) },
  { spec: statusSpec, run: (argv: string[], io: CliIo) => statusCommand(argv, io, new Date()) },
  { spec: overrideSpec, run: (argv: string[], io: CliIo) => overrideCommand(argv, io, new Date()) },
  { spec: simulateSpec, run: (argv: string[], io: CliIo) => simulateCommand(argv, io) },
  { spec: demoSpec, run: (argv: string[], io: CliIo) => demoCommand(argv, io) },
];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'offhours: starts and stops cloud resources on schedules, inside every provider rate limit.',
    '',
    'usage: offhours <command> [options]     (offhours <command> --help for its options)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.summary}`),
    '',
    'exit codes: 0 ok, 1 user error (bad config, bad arguments), 2 internal error',
    '',
  ].join('\n');
}

/**
 * Resolves on the first SIGINT/SIGTERM; a later one ends the process at once. Ctrl-C under npm reaches
 * us twice (the terminal's process group and npm's forwarding), so a repeat within a second is not
 * taken as an impatient second request.
 */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    let firstAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (firstAt === 0) {
        firstAt = performance.now();
        resolve(signal);
      } else if (performance.now() - firstAt > 1_000) {
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function main(argv: string[], io?: Partial<CliIo>): Promise<number> {
  const cli: CliIo = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stdin: process.stdin,
    untilSignal,
    ...io,
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    cli.out(usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { VERSION } = await import('../main.ts');
    cli.out(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    cli.err(`offhours: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest, cli);
  } catch (error) {
    if (error instanceof UsageError) {
      cli.err(`offhours ${name}: ${error.message}\n`);
      return 1;
    }
    if (isConfigError(error)) {
      cli.err(`offhours ${name}: ${error.message}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    cli.err(`offhours ${name}: ${message}\n`);
    if (cli.env.OFFHOURS_DEBUG && error instanceof Error) cli.err(`${error.stack}\n`);
    return 2;
  }
}
