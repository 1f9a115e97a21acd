import { checkConfig } from '../config/check-config.ts';
import { formatProblem } from '../config/config-error.ts';
import { providerDefinitions } from '../providers/registry.ts';
import { configOption, helpText, parseCommand, type CliIo, type CommandSpec } from './cli-io.ts';

export const checkSpec: CommandSpec = {
  name: 'check',
  summary: 'validate a config file and list every problem by path (exit 0 valid, 1 invalid)',
  usage: 'check [--config FILE]',
  options: { ...configOption },
  details: [
    'Warnings (exit 0) name schedules that flip faster than their provider allows over the next 7 days.',
    'options:',
    '  -c, --config FILE   config to check (default config/offhours.yaml)',
  ].join('\n'),
};

export async function checkCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(checkSpec, argv);
  if (values.help) return io.out(helpText(checkSpec)), 0;
  const file = String(values.config);
  const result = await checkConfig(file, { env: io.env, definitions: providerDefinitions, now });
  if (result.ok) {
    io.out(`${file}: ok (${JSON.stringify(result.summary)})\n`);
    for (const warning of result.warnings) io.err(`  warning: ${warning}\n`);
    return 0;
  }
  io.err(`${file}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n`);
  for (const problem of result.problems) io.err(`  ${formatProblem(problem)}\n`);
  return 1;
}
